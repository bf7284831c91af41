import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { addCategory, openTicket, signInAs, type Person } from '../../test/people.js';
import { ticketSorts } from './schemas.js';

interface Page {
  items: { id: string }[];
  next_cursor: string | null;
}

describe('paging the ticket list while tickets are being created', () => {
  let t: TestApp;
  let agent: Person;
  let customer: Person;
  let category: string;
  const priorities = ['low', 'normal', 'high', 'critical'] as const;

  beforeAll(async () => {
    // Hundreds of pages are fetched; the per-user rate limit is not what this test is about.
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '100000' } });
    agent = await signInAs(t, 'agent');
    customer = await signInAs(t, 'user');
    category = await addCategory(t);
    for (let index = 0; index < 30; index += 1) {
      await openTicket(t, customer, category, { priority: priorities[index % 4] });
    }
  });
  afterAll(() => t.close());

  const listPage = async (query: string): Promise<Page> => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/v1/tickets?${query}`,
      headers: agent.headers,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Page>();
  };

  /** Pages between which new tickets are opened. */
  const insertingPages = 12;

  it('never skips or repeats a ticket that existed when paging began', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ticketSorts),
        fc.integer({ min: 2, max: 9 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom(...priorities),
        async (sort, limit, insertsBetweenPages, newPriority) => {
          const before = new Set((await listPage(`sort=${sort}&limit=100`)).items.map((i) => i.id));
          const seen: string[] = [];
          let cursor: string | null = null;
          let pageIndex = 0;
          do {
            const query = `sort=${sort}&limit=${limit}` + (cursor ? `&cursor=${cursor}` : '');
            const page = await listPage(query);
            seen.push(...page.items.map((item) => item.id));
            cursor = page.next_cursor;
            // Customers keep opening tickets between the first pages. Not forever: sorted oldest
            // first, as many new tickets per page as the page holds would never let paging end.
            const inserts =
              pageIndex < insertingPages
                ? (insertsBetweenPages[pageIndex % insertsBetweenPages.length] ?? 0)
                : 0;
            for (let n = 0; n < inserts; n += 1) {
              await openTicket(t, customer, category, { priority: newPriority });
            }
            pageIndex += 1;
          } while (cursor);
          expect(new Set(seen).size).toBe(seen.length);
          for (const id of before) expect(seen).toContain(id);
        },
      ),
      { numRuns: 10 },
    );
  }, 120_000);

  it('answers any search text with a page, never an error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 60 }), async (text) => {
        const response = await t.app.inject({
          method: 'GET',
          url: `/api/v1/tickets?q=${encodeURIComponent(text)}`,
          headers: agent.headers,
        });
        expect(response.statusCode, text).toBe(200);
      }),
      { numRuns: 150 },
    );
  });
});
