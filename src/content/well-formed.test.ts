import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { addCategory, openTicket, signInAs, type Person } from '../../test/people.js';
import { auditLog } from '../db/schema.js';

/** A lone high surrogate as a JSON escape: `JSON.stringify` would not write one unasked. */
const lone = '\\ud800';

describe('text that is not well-formed Unicode (a lone surrogate)', () => {
  let t: TestApp;
  let admin: Person;
  let category: string;
  let ticket: { id: string };

  /** Sends `json` as it is written, escapes and all. */
  async function send(method: 'POST' | 'PUT', url: string, json: string) {
    return t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { ...admin.headers, 'content-type': 'application/json' },
      payload: json,
    });
  }

  /** How many audit entries there are: a refused write leaves none. */
  async function audited(): Promise<number> {
    const [row] = await t.container.database.db.select({ n: count() }).from(auditLog);
    return row?.n ?? 0;
  }

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signInAs(t, 'admin');
    category = await addCategory(t);
    ticket = await openTicket(t, admin, category);
  });
  afterAll(() => t.close());

  it.each([
    ['a message', 'POST', '/tickets/{ticket}/messages', `{"content":"hi ${lone}"}`, 'content'],
    [
      'an internal note',
      'POST',
      '/tickets/{ticket}/messages',
      `{"content":"${lone}x","is_internal":true}`,
      'content',
    ],
    [
      'a ticket',
      'POST',
      '/tickets',
      `{"category_id":"{category}","title":"Printer ${lone}","description":"ok"}`,
      'title',
    ],
    ['a ticket’s edit', 'PUT', '/tickets/{ticket}', `{"description":"a${lone}b"}`, 'description'],
    ['a category', 'POST', '/categories', `{"name":"Billing ${lone}"}`, 'name'],
    [
      'a category’s translation',
      'PUT',
      '/categories/{category}',
      `{"translations":{"en":{"name":"ok","description":"x${lone}"}}}`,
      'translations.en.description',
    ],
  ] as const)('refuses %s with 422 naming the field', async (_kind, method, url, json, field) => {
    const before = await audited();
    const fill = (text: string) =>
      text.replace('{ticket}', ticket.id).replace('{category}', category);
    const response = await send(method, fill(url), fill(json));
    expect(response.statusCode, response.body).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({
      status: 422,
      errors: [{ field, message: expect.stringContaining('surrogate') }],
    });
    expect(await audited()).toBe(before);
  });

  it('keeps a well-formed pair (an emoji written as escapes) as it is', async () => {
    const response = await send(
      'POST',
      `/tickets/${ticket.id}/messages`,
      '{"content":"ok \\ud83c\\udf84"}',
    );
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json<{ content: string }>().content).toBe('ok 🎄');
  });
});
