import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SqlExecutor } from '../db/client.js';
import { defaultRedisPrefix } from './redis-prefix.js';

describe('defaultRedisPrefix', () => {
  // Neither of these asks the database anything it answers.
  const refusing: SqlExecutor = {
    executeSql: () => Promise.reject(new Error('permission denied for function pg_control_system')),
  };

  it('follows the embedded data directory, however it is spelt', async () => {
    const root = path.join(os.tmpdir(), 'ttb-prefix');
    const one = await defaultRedisPrefix(refusing, { dataDir: path.join(root, 'one') });
    expect(one).toMatch(/^ttb:[0-9a-f]{12}:$/);
    expect(await defaultRedisPrefix(refusing, { dataDir: path.join(root, 'x', '..', 'one') })).toBe(
      one,
    );
    expect(await defaultRedisPrefix(refusing, { dataDir: path.join(root, 'two') })).not.toBe(one);
  });

  it('falls back to host, port and database name where the control data may not be read', async () => {
    const prefixOf = (url: string) => defaultRedisPrefix(refusing, { url });
    const tickets = await prefixOf('postgres://app:secret@db.internal:5432/tickets');
    expect(tickets).toBe(await prefixOf('postgres://other:password@db.internal/tickets'));
    expect(tickets).not.toBe(await prefixOf('postgres://app:secret@db.internal:5432/staging'));
  });

  it('falls back to the URL too when the control data comes back empty', async () => {
    const empty: SqlExecutor = { executeSql: () => Promise.resolve({ rows: [] }) };
    const url = 'postgres://app:secret@db.internal:5432/tickets';
    expect(await defaultRedisPrefix(empty, { url })).toBe(
      await defaultRedisPrefix(refusing, { url }),
    );
  });

  it('gives every in-memory database a prefix of its own', async () => {
    const first = await defaultRedisPrefix(refusing, { memory: true });
    expect(first).toMatch(/^ttb:[0-9a-f]{12}:$/);
    expect(await defaultRedisPrefix(refusing, { memory: true })).not.toBe(first);
  });
});
