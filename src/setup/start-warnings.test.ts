import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { startWarnings } from './start-warnings.js';

describe('start-up warnings about a production install', () => {
  let t: TestApp | undefined;
  afterEach(() => t?.close());

  async function warningsOf(env: Record<string, string>) {
    t = await createTestApp({ env });
    const { config, users } = t.container;
    return { warnings: await startWarnings({ config, users }), t };
  }

  it('says nobody can be given a staff role when OWNER_TELEGRAM_IDS is not set', async () => {
    const { warnings } = await warningsOf({});
    expect(warnings).toEqual([
      'OWNER_TELEGRAM_IDS is not set: nobody is an owner, so nobody can give staff roles (/role) ' +
        'and new tickets reach no one. Set it to your Telegram user id and restart ' +
        '(docs/operations.md, "First start").',
    ]);
  });

  it('says new tickets reach nobody until an owner has written to the bot', async () => {
    const { warnings, t: app } = await warningsOf({ OWNER_TELEGRAM_IDS: '555001' });
    expect(warnings).toEqual([
      'no staff yet: new tickets reach no one until an owner (OWNER_TELEGRAM_IDS) sends /start ' +
        'to the bot; the owner then sees a setup checklist there (docs/operations.md, "First start").',
    ]);
    await app.container.users.upsertFromTelegram({ id: 555001, first_name: 'Olga' });
    const { config, users } = app.container;
    expect(await startWarnings({ config, users })).toEqual([]);
  });

  it('says nothing in demo mode, where the demo users are the staff', async () => {
    const { warnings } = await warningsOf({ TELEGRAM_BOT_TOKEN: '' });
    expect(warnings).toEqual([]);
  });
});
