import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { addCategory, openTicket, signInAs, type Person } from '../../test/people.js';

/** Whatever a client sends, the answer is never a 5xx. */
describe('anything a client can send', () => {
  let t: TestApp;
  let agent: Person;
  let ticket: string;
  let category: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '100000' } });
    agent = await signInAs(t, 'admin');
    category = await addCategory(t);
    ticket = (await openTicket(t, agent, category)).id;
  });
  afterAll(() => t.close());

  const send = async (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
  ) => {
    const response = await t.app.inject({
      method,
      url,
      headers: {
        ...agent.headers,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
    expect(
      response.statusCode,
      `${method} ${url} ${JSON.stringify(payload)}: ${response.body}`,
    ).toBeLessThan(500);
    return response;
  };

  const listKeys = [
    'status',
    'priority',
    'category_id',
    'assigned_to',
    'user_id',
    'created_from',
    'created_to',
    'q',
    'sort',
    'limit',
    'cursor',
    'fields',
    'role',
    'is_active',
    'include_inactive',
  ];
  const value = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(
      '-1',
      '0',
      '1e9',
      'NaN',
      'null',
      '[]',
      'open',
      'me',
      'none',
      '-created_at',
      '0000-01-01T00:00:00Z',
      '2024-02-31T00:00:00Z',
      '9999-12-31T23:59:59-23:59',
    ),
    fc.json({ maxDepth: 2 }).map((json) => Buffer.from(json).toString('base64url')),
    fc
      .record({
        s: fc.constantFrom('-created_at', 'priority', 'created_at'),
        k: fc.array(fc.jsonValue(), { maxLength: 4 }),
      })
      .map((cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url')),
  );
  const query = fc
    .array(fc.tuple(fc.constantFrom(...listKeys), value), { maxLength: 5 })
    .map((pairs) => new URLSearchParams(pairs).toString());

  it('never gets a 5xx from a list, whatever its query string', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/api/v1/tickets',
          '/api/v1/tickets/counts',
          '/api/v1/users',
          '/api/v1/categories',
          `/api/v1/tickets/${ticket}/messages`,
          `/api/v1/tickets/${ticket}/history`,
        ),
        query,
        async (path, search) => {
          await send('GET', `${path}?${search}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never gets a 5xx from a forged cursor, whatever values it claims', async () => {
    const lists = [
      [
        '/api/v1/tickets',
        ['-created_at', 'created_at', '-updated_at', 'priority', '-priority'].map(
          (sort) => `tickets:${sort}`,
        ),
      ],
      [`/api/v1/tickets/${ticket}/messages`, ['messages:created_at', 'messages:-created_at']],
      ['/api/v1/users', ['users:-created_at']],
      [`/api/v1/tickets/${ticket}/history`, ['history:-created_at']],
    ] as const;
    const keyValue = fc.oneof(
      fc.jsonValue({ maxDepth: 1 }),
      fc.string(),
      fc.constantFrom(
        '2026-01-01T00:00:00.000Z',
        '2024-02-31T00:00:00.000Z',
        '0000-01-01T00:00:00.000Z',
        'critical',
        '01a20d14-0000-7000-8000-000000000000',
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...lists),
        fc.nat(),
        fc.array(keyValue, { minLength: 2, maxLength: 3 }),
        async ([path, sorts], pick, values) => {
          const sort = sorts[pick % sorts.length] ?? '-created_at';
          const cursor = Buffer.from(JSON.stringify({ s: sort, k: values })).toString('base64url');
          const sortParam =
            sort.startsWith('users:') || path.endsWith('/history') ? '' : `sort=${sort}&`;
          await send('GET', `${path}?${sortParam}cursor=${cursor}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never gets a 5xx from a write, whatever its JSON body', async () => {
    // Any code point, NUL and lone surrogates included.
    const binaryText = fc.string({ unit: 'binary', minLength: 1, maxLength: 30 });
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record(
        {
          title: fc.oneof(fc.jsonValue({ maxDepth: 1 }), binaryText),
          description: fc.oneof(fc.jsonValue({ maxDepth: 1 }), binaryText),
          category_id: fc.oneof(fc.constant(category), fc.uuid(), fc.string()),
          priority: fc.jsonValue({ maxDepth: 1 }),
          content: fc.oneof(fc.jsonValue({ maxDepth: 1 }), binaryText),
          is_internal: fc.jsonValue({ maxDepth: 1 }),
          status: fc.constantFrom('open', 'closed', 'waiting', 'nope', 1, null),
          assigned_to: fc.oneof(fc.uuid(), fc.constant(null), fc.constant(agent.id), fc.string()),
          name: fc.oneof(fc.jsonValue({ maxDepth: 1 }), binaryText),
          color: fc.oneof(fc.string(), binaryText),
          icon: binaryText,
          role: fc.constantFrom('user', 'agent', 'owner', 'god', 3),
          is_active: fc.jsonValue({ maxDepth: 1 }),
        },
        { requiredKeys: [] },
      ),
    );
    const targets: ['POST' | 'PUT', string][] = [
      ['POST', '/api/v1/tickets'],
      ['PUT', `/api/v1/tickets/${ticket}`],
      ['PUT', `/api/v1/tickets/${ticket}/status`],
      ['PUT', `/api/v1/tickets/${ticket}/assign`],
      ['POST', `/api/v1/tickets/${ticket}/messages`],
      ['POST', '/api/v1/categories'],
      ['PUT', `/api/v1/categories/${category}`],
      ['PUT', `/api/v1/users/${agent.id}/role`],
    ];
    const target = fc.constantFrom(...targets);
    await fc.assert(
      fc.asyncProperty(target, body, async ([method, url], payload) => {
        await send(method, url, payload);
      }),
      { numRuns: 400 },
    );
  });

  it('never gets a 5xx from a path parameter, whatever it holds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/api/v1/tickets/',
          '/api/v1/messages/',
          '/api/v1/users/',
          '/api/v1/categories/',
        ),
        fc.oneof(fc.uuid(), fc.string({ unit: 'binary', maxLength: 50 })),
        async (prefix, id) => {
          await send('GET', prefix + encodeURIComponent(id));
          await send('DELETE', prefix + encodeURIComponent(id) + '/x');
        },
      ),
      { numRuns: 200 },
    );
  });
});
