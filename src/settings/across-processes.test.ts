import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { testRedisUrl, uniquePrefix } from '../../test/infra.js';
import { callAs, signInAs, type Person } from '../../test/people.js';
import type { SettingsDto } from './schemas.js';

// Two processes of one install: one database, one Redis (its cache and pub/sub). Without Redis
// each process has a cache of its own, which is the single-process mode only.
describe.runIf(testRedisUrl !== undefined)('settings in two processes sharing Redis', () => {
  let one: TestApp;
  let two: TestApp;
  let adminOnOne: Person;
  let adminOnTwo: Person;

  beforeAll(async () => {
    const redisPrefix = uniquePrefix();
    one = await createTestApp({ redisPrefix });
    two = await createTestApp({ redisPrefix, database: one.container.database });
    adminOnOne = await signInAs(one, 'admin');
    adminOnTwo = await signInAs(two, 'admin');
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  const read = async (app: TestApp, admin: Person) =>
    (await callAs(app, admin, 'GET', '/settings')).json<SettingsDto>();

  it('serves a save made in one process from the other at once', async () => {
    // Both have read (and cached) the defaults.
    expect((await read(one, adminOnOne)).auto_close).toEqual({ after_days: 0 });
    expect((await read(two, adminOnTwo)).auto_close).toEqual({ after_days: 0 });
    expect(await two.container.settings.current()).toMatchObject({ auto_close: { after_days: 0 } });

    const saved = await callAs(one, adminOnOne, 'PUT', '/settings', {
      auto_close: { after_days: 5 },
      greeting: { ru: 'Добрый день', en: 'Good day' },
    });
    expect(saved.statusCode).toBe(200);

    const seen = await read(two, adminOnTwo);
    expect(seen.auto_close).toEqual({ after_days: 5 });
    expect(seen.greeting).toEqual({ ru: 'Добрый день', en: 'Good day' });
    // What the other process's features read, not only its API.
    expect((await two.container.settings.current()).auto_close).toEqual({ after_days: 5 });

    // And back the other way.
    await callAs(two, adminOnTwo, 'PUT', '/settings', { auto_close: { after_days: 9 } });
    expect((await one.container.settings.current()).auto_close).toEqual({ after_days: 9 });
  });
});
