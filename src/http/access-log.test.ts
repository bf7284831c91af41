import { describe, expect, it } from 'vitest';
import { bearer, createTestApp, signIn } from '../../test/app.js';

/** A test app whose log lines are kept, parsed. */
async function loggedApp() {
  const lines: string[] = [];
  const t = await createTestApp({
    env: { LOG_LEVEL: 'info' },
    logStream: {
      write(line: string) {
        lines.push(line);
      },
    },
  });
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { t, entries };
}

describe('the access log', () => {
  it('writes one line per answered request: method, path without query, IP, status, time, user', async () => {
    const { t, entries } = await loggedApp();
    try {
      const { access_token: token, user } = await signIn(t, { id: 4242, first_name: 'Lena' });
      const before = entries().length;
      const answer = await t.app.inject({
        method: 'GET',
        url: '/api/v1/tickets?limit=5&q=secret-in-query',
        headers: { ...bearer(token), 'x-request-id': 'access-log-1' },
      });
      expect(answer.statusCode).toBe(200);
      const lines = entries()
        .slice(before)
        .filter((entry) => entry.request_id === 'access-log-1');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 30,
        msg: 'request completed',
        req: { method: 'GET', url: '/api/v1/tickets', ip: '127.0.0.1' },
        res: { statusCode: 200 },
        user_id: user.id,
      });
      expect(typeof lines[0]?.responseTime).toBe('number');
      expect(JSON.stringify(lines)).not.toContain('secret-in-query');
      expect(JSON.stringify(entries())).not.toContain('incoming request');
    } finally {
      await t.close();
    }
  });

  it('logs a refused request with its status and no user', async () => {
    const { t, entries } = await loggedApp();
    try {
      const answer = await t.app.inject({
        method: 'GET',
        url: '/api/v1/tickets',
        headers: { 'x-request-id': 'access-log-2' },
      });
      expect(answer.statusCode).toBe(401);
      const [line, ...more] = entries().filter((entry) => entry.request_id === 'access-log-2');
      expect(more).toEqual([]);
      expect(line).toMatchObject({ msg: 'request completed', res: { statusCode: 401 } });
      expect(line).not.toHaveProperty('user_id');
    } finally {
      await t.close();
    }
  });
});
