import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, signIn, type TestApp } from '../../test/app.js';
import { signInitData } from '../../test/init-data.js';

describe('HTTP basics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ startQueue: true });
  });
  afterAll(() => t.close());

  it('answers an unknown route with a 404 problem', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No route GET /api/v1/nothing-here',
    });
  });

  it('answers 413 for a body over the limit and 415 for an unsupported type', async () => {
    const tooLarge = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ refresh_token: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.headers['content-type']).toContain('application/problem+json');
    const wrongType = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      headers: { 'content-type': 'application/xml' },
      payload: '<refresh/>',
    });
    expect(wrongType.statusCode).toBe(415);
    const plainText = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      headers: { 'content-type': 'text/plain' },
      payload: 'refresh me',
    });
    expect(plainText.statusCode).toBe(415);
  });

  it('carries a request id: the caller’s when sane, a new one otherwise', async () => {
    const given = await t.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const hostile = await t.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'a b\u0000c' },
    });
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends a Content-Security-Policy that lets Telegram Web frame the app', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('frame-ancestors');
    expect(csp).toContain('https://web.telegram.org');
    expect(csp).toContain("object-src 'none'");
    // The WebSocket of the same host, spelt out for WebViews where 'self' does not cover ws(s):.
    expect(csp).toContain("connect-src 'self' ws://localhost:80 wss://localhost:80;");
    const hostile = await t.app.inject({
      method: 'GET',
      url: '/',
      headers: { host: 'evil.example; script-src *' },
    });
    const hostileCsp = String(hostile.headers['content-security-policy']);
    expect(hostileCsp).toContain("connect-src 'self' 'self';");
    expect(hostileCsp).not.toContain('evil');
    expect(response.headers['x-frame-options']).toBeUndefined();
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves OpenAPI 3.1 documenting every API operation with summary, description and schemas', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    interface Operation {
      summary?: string;
      description?: string;
      tags?: string[];
      requestBody?: { content: Record<string, { schema?: object }> };
      responses: Record<string, { content?: Record<string, { schema?: object }> }>;
    }
    const spec = response.json<{
      openapi: string;
      paths: Record<string, Record<string, Operation>>;
    }>();
    expect(spec.openapi).toBe('3.1.0');
    const documented = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
    const expected = [
      'post /api/v1/auth/telegram',
      'post /api/v1/auth/refresh',
      'post /api/v1/auth/logout',
      'get /api/v1/auth/me',
      'put /api/v1/auth/profile',
      'get /api/v1/tickets',
      'post /api/v1/tickets',
      'get /api/v1/tickets/counts',
      'get /api/v1/tickets/{id}',
      'put /api/v1/tickets/{id}',
      'delete /api/v1/tickets/{id}',
      'put /api/v1/tickets/{id}/assign',
      'put /api/v1/tickets/{id}/status',
      'get /api/v1/tickets/{id}/history',
      'get /api/v1/tickets/{id}/messages',
      'post /api/v1/tickets/{id}/messages',
      'put /api/v1/messages/{id}',
      'delete /api/v1/messages/{id}',
      'get /api/v1/categories',
      'post /api/v1/categories',
      'get /api/v1/categories/{id}',
      'put /api/v1/categories/{id}',
      'delete /api/v1/categories/{id}',
      'get /api/v1/users',
      'get /api/v1/users/{id}',
      'put /api/v1/users/{id}/role',
      'put /api/v1/users/{id}/status',
      'get /api/v1/users/{id}/tickets',
      'get /api/v1/users/{id}/activity',
      'get /api/v1/notifications',
      'get /api/v1/notifications/unread-count',
      'put /api/v1/notifications/{id}/read',
      'put /api/v1/notifications/read-all',
      'post /api/v1/tickets/{id}/attachments',
      'get /api/v1/tickets/{id}/attachments',
      'post /api/v1/attachments',
      'get /api/v1/files/{id}',
      'get /api/v1/files/{id}/preview',
    ];
    expect(documented.map(({ method, path }) => `${method} ${path}`)).toEqual(
      expect.arrayContaining(expected),
    );
    for (const { path, method, operation } of documented.filter((o) =>
      o.path.startsWith('/api/'),
    )) {
      const name = `${method} ${path}`;
      expect(operation.summary, name).toBeTruthy();
      expect(operation.description, name).toBeTruthy();
      expect(operation.tags?.length, name).toBeGreaterThan(0);
      const success = Object.entries(operation.responses).find(([status]) =>
        status.startsWith('2'),
      );
      expect(success, name).toBeDefined();
      const [status, reply] = success ?? ['', {}];
      if (status !== '204') expect(reply.content?.['application/json']?.schema, name).toBeDefined();
      const bodiless = ['/logout', '/read', '/read-all'].some((end) => path.endsWith(end));
      const upload = path.endsWith('/attachments') && method === 'post';
      if (upload) {
        expect(operation.requestBody?.content['multipart/form-data']?.schema, name).toBeDefined();
      } else if (['post', 'put'].includes(method) && !bodiless) {
        expect(operation.requestBody?.content['application/json']?.schema, name).toBeDefined();
      }
      // Every operation documents how it refuses: 401/422, or only 429 for the public config.
      const refusals = ['401', '422', '429'].filter((code) => operation.responses[code]);
      expect(refusals, name).not.toHaveLength(0);
    }
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger-ui');
    expect(docs.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('exports HTTP duration histograms by route template and status', async () => {
    const pair = await signIn(t, { id: 6001 });
    await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: bearer(pair.access_token),
    });
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('# TYPE http_request_duration_seconds histogram');
    expect(response.body).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/auth\/me",status_code="200"\} \d+/,
    );
    expect(response.body).toContain('process_cpu_user_seconds_total');
  });

  it('is live, and ready when the database and the queue answer', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health/live' })).json()).toEqual({
      status: 'ok',
    });
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ok', checks: { database: 'ok', queue: 'ok' } });
  });
});

describe('requests Node’s HTTP parser refuses', () => {
  it('answers a URL with raw non-ASCII characters with a 400 problem', async () => {
    const t = await createTestApp();
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as net.AddressInfo;
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(Buffer.from('GET /api/v1/tickets?q=принтер HTTP/1.1\r\nHost: x\r\n\r\n'));
        });
        let data = '';
        socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
      });
      expect(reply).toMatch(/^HTTP\/1\.1 400 /);
      expect(reply).toContain('application/problem+json');
      expect(reply).toContain('percent-encoded');
    } finally {
      await t.close();
    }
  });
});

describe('Strict-Transport-Security', () => {
  it('is sent on HTTPS requests only, as the trusted proxy reports them', async () => {
    const t = await createTestApp({ env: { TRUST_PROXY: '1' } });
    try {
      const get = (headers: Record<string, string>) =>
        t.app.inject({ method: 'GET', url: '/api/v1/config', headers });
      const viaHttps = await get({ 'x-forwarded-proto': 'https' });
      expect(viaHttps.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
      for (const plain of [{}, { 'x-forwarded-proto': 'http' }] as Record<string, string>[]) {
        const response = await get(plain);
        expect(response.statusCode).toBe(200);
        expect(response.headers['strict-transport-security']).toBeUndefined();
      }
    } finally {
      await t.close();
    }
  });
});

describe('shutting down', () => {
  it('answers a request that arrives meanwhile with a 503 problem and Retry-After', async () => {
    const t = await createTestApp();
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as net.AddressInfo;
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      // A request under way keeps its connection open while the server closes.
      socket.write('GET /api/v1/config HTTP/1.1\r\nHost: x\r\n');
      const reply = new Promise<string>((resolve, reject) => {
        let data = '';
        socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const closing = t.app.close();
      while (t.app.server.listening) await new Promise((resolve) => setTimeout(resolve, 5));
      socket.write('\r\n');
      const [head = '', body = ''] = (await reply).split('\r\n\r\n');
      await closing;
      expect(head).toMatch(/^HTTP\/1\.1 503 /);
      expect(head).toMatch(/\r\ncontent-type: application\/problem\+json/i);
      expect(head).toMatch(/\r\nretry-after: \d+\r\n/i);
      expect(head).toMatch(/\r\nconnection: close/i);
      expect(JSON.parse(body)).toMatchObject({ status: 503, title: 'Service Unavailable' });
    } finally {
      await t.close();
    }
  });
});

describe('readiness without a started queue', () => {
  it('answers 503 and names the failing check', async () => {
    const t = await createTestApp();
    try {
      const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({
        status: 'unavailable',
        checks: { database: 'ok', queue: 'down' },
      });
    } finally {
      await t.close();
    }
  });
});

describe('rate limiting', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '5', AUTH_RATE_LIMIT_MAX: '3' } });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After once a client passes the limit', async () => {
    const refresh = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refresh_token: 'x' },
        remoteAddress: '198.51.100.1',
      });
    for (let i = 0; i < 3; i++) expect((await refresh()).statusCode).toBe(401);
    const limited = await refresh();
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json().code).toBe('rate_limited');
    const otherClient = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: 'x' },
      remoteAddress: '198.51.100.2',
    });
    expect(otherClient.statusCode).toBe(401);
  });

  it('counts signed-in requests per user, not per address', async () => {
    const [alice, bob] = await Promise.all([signIn(t, { id: 6101 }), signIn(t, { id: 6102 })]);
    const me = (token: string) =>
      t.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: bearer(token),
        remoteAddress: '198.51.100.9',
      });
    for (let i = 0; i < 5; i++) expect((await me(alice.access_token)).statusCode).toBe(200);
    expect((await me(alice.access_token)).statusCode).toBe(429);
    expect((await me(bob.access_token)).statusCode).toBe(200);
  });

  it('counts a logged-out token by its address, leaving its owner’s budget alone', async () => {
    // Two sessions of one user, signed in past the sign-in route's own (small) limit.
    const session = () =>
      t.container.auth.signInWithTelegram(
        signInitData({ id: 6103 }, { authDate: t.container.clock.now() }),
        {},
      );
    const stale = { access_token: (await session()).accessToken };
    const fresh = { access_token: (await session()).accessToken };
    const logout = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(stale.access_token),
    });
    expect(logout.statusCode).toBe(204);
    const me = (token: string, remoteAddress: string) =>
      t.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: bearer(token),
        remoteAddress,
      });
    for (let i = 0; i < 5; i++) {
      expect((await me(stale.access_token, '198.51.100.20')).statusCode).toBe(401);
    }
    expect((await me(stale.access_token, '198.51.100.20')).statusCode).toBe(429);
    // The owner's live session, even from that address, has the budget the logout left.
    for (let i = 0; i < 4; i++) {
      expect((await me(fresh.access_token, '198.51.100.20')).statusCode).toBe(200);
    }
  });

  it('never limits health checks', async () => {
    for (let i = 0; i < 8; i++) {
      expect((await t.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    }
  });
});
