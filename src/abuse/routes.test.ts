import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntryDto } from '../audit/schemas.js';
import type { Problem } from '../http/problem.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { manualClock } from '../../test/manual-clock.js';
import { callAs, signInEveryRole, type Person } from '../../test/people.js';
import type { UserRole } from '../db/schema.js';
import type { BanDto } from './schemas.js';

let t: TestApp;
let people: Record<UserRole, Person>;

beforeAll(async () => {
  t = await createTestApp({
    env: { ABUSE_BAN_STRIKES: '2', ABUSE_BAN_WINDOW_S: '600', ABUSE_BAN_S: '900' },
    clock: manualClock('2025-03-01T09:00:00Z'),
  });
  people = await signInEveryRole(t);
});
afterAll(() => t.close());

async function ban(ip: string): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      remoteAddress: ip,
      payload: { refresh_token: 'not-a-refresh-token-we-gave-out' },
    });
  }
}

function served(ip: string) {
  return t.app
    .inject({ method: 'GET', url: '/api/v1/config', remoteAddress: ip })
    .then((response) => response.statusCode);
}

type BanPage = { items: BanDto[]; next_cursor: string | null };

describe('GET /admin/bans', () => {
  it('lists the bans in force to admins, by address, a page at a time', async () => {
    await ban('198.51.100.3');
    await ban('198.51.100.1');
    await ban('2001:db8::2');
    const first = await callAs(t, people.admin, 'GET', '/admin/bans?limit=2');
    expect(first.statusCode).toBe(200);
    const page = first.json<BanPage>();
    expect(page.items).toEqual([
      {
        ip: '198.51.100.1',
        banned_at: '2025-03-01T09:00:00.000Z',
        banned_until: '2025-03-01T09:15:00.000Z',
        strikes: 2,
      },
      expect.objectContaining({ ip: '198.51.100.3' }),
    ]);
    expect(page.next_cursor).not.toBeNull();
    const second = await callAs(
      t,
      people.owner,
      'GET',
      `/admin/bans?limit=2&cursor=${page.next_cursor}`,
    );
    expect(second.json<BanPage>()).toEqual({
      items: [expect.objectContaining({ ip: '2001:db8::2' })],
      next_cursor: null,
    });
    const foreign = await callAs(t, people.admin, 'GET', '/admin/bans?cursor=eyJzIjoiLXByaW9y');
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json<Problem>().errors).toEqual([
      { field: 'query.cursor', message: 'is not a valid cursor for this list' },
    ]);
  });

  it('refuses moderators, agents and customers (403), and anyone signed out (401)', async () => {
    for (const role of ['moderator', 'agent', 'user'] as const) {
      const response = await callAs(t, people[role], 'GET', '/admin/bans');
      expect(response.statusCode, role).toBe(403);
      expect(response.json<Problem>().code).toBe('forbidden');
    }
    const signedOut = await t.app.inject({ method: 'GET', url: '/api/v1/admin/bans' });
    expect(signedOut.statusCode).toBe(401);
  });
});

describe('DELETE /admin/bans/{ip}', () => {
  it('lifts a ban at once, forgets the strikes and writes the audit log', async () => {
    await ban('198.51.100.50');
    expect(await served('198.51.100.50')).toBe(403);
    const lifted = await callAs(t, people.admin, 'DELETE', '/admin/bans/198.51.100.50');
    expect(lifted.statusCode).toBe(204);
    expect(await served('198.51.100.50')).toBe(200);
    const list = await callAs(t, people.admin, 'GET', '/admin/bans?limit=100');
    expect(list.json<BanPage>().items.map((item) => item.ip)).not.toContain('198.51.100.50');
    // Its strikes went with it: one more failure is not a second ban.
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      remoteAddress: '198.51.100.50',
      payload: { refresh_token: 'not-a-refresh-token-we-gave-out' },
    });
    expect(await served('198.51.100.50')).toBe(200);

    const activity = await callAs(t, people.owner, 'GET', `/users/${people.admin.id}/activity`);
    const entry = activity
      .json<{ items: AuditEntryDto[] }>()
      .items.find((item) => item.action === 'ip_ban.lifted');
    expect(entry).toMatchObject({
      actor_id: people.admin.id,
      entity_type: 'ip_ban',
      before: { ip: '198.51.100.50', strikes: 2, banned_until: '2025-03-01T09:15:00.000Z' },
      after: null,
    });
  });

  it('refuses a moderator (403) and a customer (403), and the ban stays', async () => {
    await ban('198.51.100.60');
    for (const role of ['moderator', 'user'] as const) {
      const response = await callAs(t, people[role], 'DELETE', '/admin/bans/198.51.100.60');
      expect(response.statusCode, role).toBe(403);
    }
    expect(await served('198.51.100.60')).toBe(403);
  });

  it('answers 404 for an address that is not banned and 422 for one that is not an address', async () => {
    const missing = await callAs(t, people.admin, 'DELETE', '/admin/bans/198.51.100.99');
    expect(missing.statusCode).toBe(404);
    const invalid = await callAs(t, people.admin, 'DELETE', '/admin/bans/not-an-address');
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json<Problem>().errors?.[0]?.field).toBe('params.ip');
  });

  it('lifts an IPv6 ban named in capitals, and an IPv4 one named as IPv4-mapped IPv6', async () => {
    await ban('2001:db8::beef');
    const v6 = await callAs(t, people.admin, 'DELETE', '/admin/bans/2001:DB8::BEEF');
    expect(v6.statusCode).toBe(204);
    await ban('198.51.100.70');
    const mapped = await callAs(t, people.admin, 'DELETE', '/admin/bans/::ffff:198.51.100.70');
    expect(mapped.statusCode).toBe(204);
    expect(await served('198.51.100.70')).toBe(200);
  });
});
