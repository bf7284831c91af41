import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeBotApi, type FakeBotApi, type RecordedCall } from './fake-bot-api.js';
import { createEmptyPostgresDatabase, testDatabaseUrl } from './infra.js';
import { signInitData } from './init-data.js';
import { readyUrl, spawnApp, type AppProcess } from './spawn-app.js';
import { postJson } from './http.js';

/** The claim lease the processes run with: production's is 60 s; a test waits out a short one. */
const leaseS = 12;
/** Slack for sweeping (a twelfth of the lease), waking a worker and the send itself. */
const slackMs = 2_000;
const owner = 444_001;
const customer = 444_002;

async function until<T>(what: string, find: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Successful sends to the owner's chat. */
function sentToOwner(api: FakeBotApi): RecordedCall[] {
  return api.sent('sendMessage').filter((call) => Number(call.params.chat_id) === owner);
}

// Two worker processes, one after the other, on one database: PostgreSQL only.
describe.runIf(testDatabaseUrl !== undefined)('a worker killed mid-send', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.toReversed()) await cleanup();
  });

  it('leaves its notification to another worker once the claim lease ends, and it is sent once more', async () => {
    const api = await startFakeBotApi();
    cleanups.push(() => api.close());
    const database = await createEmptyPostgresDatabase();
    cleanups.push(() => database.drop());
    const start = async (): Promise<{ app: AppProcess; url: string }> => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-reclaim-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const app = spawnApp({
        DATA_DIR: dataDir,
        PORT: '0',
        ROLES: 'api,worker',
        DATABASE_URL: database.url,
        JWT_SECRET: 'reclaim-test-secret-of-at-least-32-chars',
        TELEGRAM_BOT_TOKEN: api.token,
        TELEGRAM_API_ROOT: api.url,
        OWNER_TELEGRAM_IDS: String(owner),
        NOTIFY_CLAIM_LEASE_S: String(leaseS),
      });
      cleanups.push(() => {
        app.child.kill('SIGKILL');
        return app.exited;
      });
      return { app, url: await readyUrl(app) };
    };

    const first = await start();
    type SignIn = { access_token: string };
    const signIn = (id: number) =>
      postJson<SignIn>(`${first.url}/api/v1/auth/telegram`, { init_data: signInitData({ id }) });
    await signIn(owner); // the owner hears of new tickets
    const { access_token: token } = await signIn(customer);
    const categories = (await (
      await fetch(`${first.url}/api/v1/categories`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { items: { id: string }[] };
    // Telegram takes the first send and never answers: the worker is mid-send when it dies.
    api.failNext('sendMessage', 'hang');
    await postJson(
      `${first.url}/api/v1/tickets`,
      { category_id: categories.items[0]?.id, title: 'Killed', description: 'Mid-send' },
      token,
    );
    const hung = await until(
      'the first send',
      () =>
        api.calls.find(
          (call) => call.method === 'sendMessage' && Number(call.params.chat_id) === owner,
        ),
      10_000,
    );
    // Another worker starts (its start-up sweep leaves the claimed row alone); then the first
    // dies, mid-send. Started first so that a slow start-up cannot eat up the lease: the first
    // cannot send meanwhile, its delivery worker is stuck in the send.
    await start();
    const secondReady = Date.now();
    first.app.child.kill('SIGKILL');
    await first.app.exited;

    // The row is claimed (before the send) no later than the send arrived.
    const leaseEnds = hung.at + leaseS * 1000;
    const resent = await until('the send again', () => sentToOwner(api)[0], leaseS * 1000 + 30_000);
    expect(resent.at, 'not sent again while the lease held').toBeGreaterThanOrEqual(
      leaseEnds - 500,
    );
    // Within the lease and a twelfth of it (from when a live worker sweeps), plus the send.
    expect(resent.at, 'sent again within the documented bound').toBeLessThanOrEqual(
      Math.max(leaseEnds, secondReady) + leaseS * (1000 / 12) + slackMs,
    );
    expect(resent.params.text).toBe(hung.params.text);
    // Once, not twice: no other job of the row sends it again.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(sentToOwner(api)).toHaveLength(1);
  }, 90_000);
});
