import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { Problem } from '../http/problem.js';
import { createTestApp, signIn, type TestApp } from '../../test/app.js';
import { signInitData } from '../../test/init-data.js';
import { manualClock, type ManualClock } from '../../test/manual-clock.js';

const banS = 900;
/** Three strikes within ten minutes ban for fifteen. */
const env = { ABUSE_BAN_STRIKES: '3', ABUSE_BAN_WINDOW_S: '600', ABUSE_BAN_S: String(banS) };
const attacker = '203.0.113.7';
const bystander = '203.0.113.8';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function open(
  extra: Record<string, string> = {},
  options: { lines?: string[] } = {},
): Promise<{ t: TestApp; clock: ManualClock }> {
  const clock = manualClock('2025-03-01T09:00:00Z');
  const lines = options.lines;
  t = await createTestApp({
    env: { ...env, ...(lines ? { LOG_LEVEL: 'info' } : {}), ...extra },
    clock,
    ...(lines
      ? {
          logStream: {
            write: (line: string) => {
              lines.push(line);
            },
          },
        }
      : {}),
  });
  return { t, clock };
}

/** A sign-in with launch data Telegram never signed, from `ip`. */
function failSignIn(app: TestApp, ip: string) {
  return app.app.inject({
    method: 'POST',
    url: '/api/v1/auth/telegram',
    remoteAddress: ip,
    payload: { init_data: 'user=%7B%22id%22%3A1%7D&auth_date=1&hash=00' },
  });
}

function get(app: TestApp, url: string, ip: string, headers: Record<string, string> = {}) {
  return app.app.inject({ method: 'GET', url, remoteAddress: ip, headers });
}

describe('the abuse guard', () => {
  it('bans an address after repeated failed sign-ins: 403 with Retry-After everywhere but health and metrics', async () => {
    const lines: string[] = [];
    const { t } = await open({}, { lines });
    for (let i = 0; i < 2; i++) expect((await failSignIn(t, attacker)).statusCode).toBe(401);
    expect((await get(t, '/api/v1/config', attacker)).statusCode).toBe(200);
    expect((await failSignIn(t, attacker)).statusCode).toBe(401);

    const refused = await get(t, '/api/v1/config', attacker);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.headers['retry-after']).toBe(String(banS));
    expect(refused.json<Problem>()).toMatchObject({
      type: '/problems/banned',
      status: 403,
      code: 'ip_banned',
    });
    // Every route, known or not, signed in or not; sign-in too.
    expect((await get(t, '/api/v1/tickets', attacker)).statusCode).toBe(403);
    expect((await get(t, '/no-such-route', attacker)).statusCode).toBe(403);
    expect((await failSignIn(t, attacker)).statusCode).toBe(403);
    // Health and metrics answer, and show the ban.
    expect((await get(t, '/health/live', attacker)).statusCode).toBe(200);
    const metrics = await get(t, '/metrics', attacker);
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('ttb_abuse_bans_total{reason="sign_in"} 1');
    expect(metrics.body).toContain('ttb_abuse_bans_active 1');
    // Nobody else is refused.
    expect((await get(t, '/api/v1/config', bystander)).statusCode).toBe(200);

    const warnings = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.level === 40 && entry.ip === attacker);
    expect(warnings).toEqual([
      expect.objectContaining({
        msg: 'abuse: address banned after repeated strikes',
        strikes: 3,
        reason: 'sign_in',
        until: '2025-03-01T09:15:00.000Z',
      }),
    ]);
  });

  it('refuses the next request at once after the strike that bans, however slowly it is counted', async () => {
    const { t } = await open();
    const { abuse } = t.container;
    const strike = abuse.strike.bind(abuse);
    // A busy shared store: each strike takes a while to be counted.
    abuse.strike = async (ip, reason) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return strike(ip, reason);
    };
    for (let i = 0; i < 3; i++) expect((await failSignIn(t, attacker)).statusCode).toBe(401);
    expect((await get(t, '/api/v1/config', attacker)).statusCode).toBe(403);
  });

  it('counts the rate limiter’s 429s as strikes', async () => {
    const { t } = await open({ RATE_LIMIT_MAX: '2' });
    for (let i = 0; i < 2; i++) {
      expect((await get(t, '/api/v1/config', attacker)).statusCode).toBe(200);
    }
    for (let i = 0; i < 3; i++) {
      expect((await get(t, '/api/v1/config', attacker)).statusCode).toBe(429);
    }
    expect((await get(t, '/api/v1/config', attacker)).statusCode).toBe(403);
    const metrics = await get(t, '/metrics', '127.0.0.1');
    expect(metrics.body).toContain('ttb_abuse_bans_total{reason="rate_limited"} 1');
  });

  it('ends the ban after ABUSE_BAN_S', async () => {
    const { t, clock } = await open();
    for (let i = 0; i < 3; i++) await failSignIn(t, attacker);
    clock.advance(banS * 1000 - 1_500);
    const late = await get(t, '/api/v1/config', attacker);
    expect(late.statusCode).toBe(403);
    expect(late.headers['retry-after']).toBe('2');
    clock.advance(1_500);
    expect((await get(t, '/api/v1/config', attacker)).statusCode).toBe(200);
    // It starts again from no strikes.
    for (let i = 0; i < 2; i++) await failSignIn(t, attacker);
    expect((await get(t, '/api/v1/config', attacker)).statusCode).toBe(200);
  });

  it('forgets strikes older than the window', async () => {
    const { t, clock } = await open();
    for (let i = 0; i < 2; i++) await failSignIn(t, attacker);
    clock.advance(600_000);
    await failSignIn(t, attacker);
    expect((await get(t, '/api/v1/config', attacker)).statusCode).toBe(200);
  });

  it('never bans an allow-listed address, nor this machine by default', async () => {
    const { t } = await open({ ABUSE_ALLOW_IPS: '203.0.113.0/28, 2001:db8::/32' });
    for (const ip of [attacker, '2001:db8::5', '::ffff:203.0.113.9']) {
      for (let i = 0; i < 5; i++) await failSignIn(t, ip);
      expect((await get(t, '/api/v1/config', ip)).statusCode, ip).toBe(200);
    }
    // Outside the list: banned.
    for (let i = 0; i < 3; i++) await failSignIn(t, '203.0.113.20');
    expect((await get(t, '/api/v1/config', '203.0.113.20')).statusCode).toBe(403);
  });

  it('keeps this machine off the list by default, and bans with 0 strikes never', async () => {
    const { t } = await open();
    for (let i = 0; i < 5; i++) await failSignIn(t, '127.0.0.1');
    expect((await get(t, '/api/v1/config', '127.0.0.1')).statusCode).toBe(200);
    await t.close();
    const { t: off } = await open({ ABUSE_BAN_STRIKES: '0' });
    for (let i = 0; i < 5; i++) await failSignIn(off, attacker);
    expect((await get(off, '/api/v1/config', attacker)).statusCode).toBe(200);
  });

  it('counts one address however it reached the socket (IPv4, or IPv4 mapped into IPv6)', async () => {
    const { t } = await open();
    await failSignIn(t, '::ffff:203.0.113.30');
    await failSignIn(t, '203.0.113.30');
    await failSignIn(t, '::FFFF:203.0.113.30');
    expect((await get(t, '/api/v1/config', '203.0.113.30')).statusCode).toBe(403);
  });

  it('does not let a correct sign-in wipe the strikes, nor a signed-in user through a ban', async () => {
    const { t } = await open();
    for (let i = 0; i < 2; i++) await failSignIn(t, attacker);
    const good = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/telegram',
      remoteAddress: attacker,
      payload: {
        init_data: signInitData({ id: 777_001 }, { authDate: t.container.clock.now() }),
      },
    });
    expect(good.statusCode).toBe(200);
    const token = good.json<{ access_token: string }>().access_token;
    await failSignIn(t, attacker);
    const me = await get(t, '/api/v1/auth/me', attacker, { authorization: `Bearer ${token}` });
    expect(me.statusCode).toBe(403);
    // The same user from another address is served.
    expect(
      (await get(t, '/api/v1/auth/me', bystander, { authorization: `Bearer ${token}` })).statusCode,
    ).toBe(200);
  });

  it('does not count other refusals: a wrong access token, a 404, a 422', async () => {
    const { t } = await open();
    const person = await signIn(t, { id: 777_002 });
    for (let i = 0; i < 3; i++) {
      await get(t, '/api/v1/auth/me', attacker, { authorization: 'Bearer nonsense' });
      await get(t, '/api/v1/tickets/00000000-0000-7000-8000-000000000000', attacker, {
        authorization: `Bearer ${person.access_token}`,
      });
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/telegram',
        remoteAddress: attacker,
        payload: { init_data: '' },
      });
    }
    expect((await get(t, '/api/v1/config', attacker)).statusCode).toBe(200);
  });
});

describe('the abuse guard on a real connection behind a proxy', () => {
  /** Listens on a free port; `TRUST_PROXY=loopback` lets the test speak for other clients. */
  async function listen() {
    const { t } = await open({ TRUST_PROXY: 'loopback' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const forwarded = (ip: string) => ({ 'x-forwarded-for': ip });
    for (let i = 0; i < 3; i++) {
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/telegram',
        headers: forwarded(attacker),
        payload: { init_data: 'auth_date=1&hash=00' },
      });
    }
    return { port, forwarded };
  }

  it('refuses the forwarded address TRUST_PROXY names, not the proxy, and the connection stays usable', async () => {
    const { port, forwarded } = await listen();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, path: string, ip: string, body?: string) =>
      new Promise<{ status: number; reused: boolean; body: string }>((resolve, reject) => {
        const request = http.request(
          {
            host: '127.0.0.1',
            port,
            method,
            path,
            agent,
            headers: {
              ...forwarded(ip),
              ...(body ? { 'content-type': 'application/json' } : {}),
            },
          },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () =>
              resolve({
                status: response.statusCode ?? 0,
                reused: request.reusedSocket,
                body: text,
              }),
            );
          },
        );
        request.on('error', reject);
        request.end(body);
      });
    try {
      const first = await send('GET', '/api/v1/config', bystander);
      expect(first.status).toBe(200);
      // A refused request with a body it never read, then more requests on the same connection.
      const refused = await send(
        'POST',
        '/api/v1/tickets',
        attacker,
        JSON.stringify({ title: 'x'.repeat(10_000) }),
      );
      expect(refused.status).toBe(403);
      expect(refused.reused).toBe(true);
      const after = await send('GET', '/health/live', attacker);
      expect(after).toMatchObject({ status: 200, reused: true });
      const other = await send('GET', '/api/v1/config', bystander);
      expect(other).toMatchObject({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  });

  it('refuses a banned address’s WebSocket upgrade with the 403', async () => {
    const { port, forwarded } = await listen();
    const answer = (ip: string) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/ws`, {
          headers: forwarded(ip),
        });
        socket.on('unexpected-response', (_request, response) => {
          resolve(response.statusCode ?? 0);
          socket.terminate();
        });
        socket.on('open', () => {
          resolve(101);
          socket.close();
        });
        socket.on('error', reject);
      });
    expect(await answer(attacker)).toBe(403);
    expect(await answer(bystander)).toBe(101);
  });
});
