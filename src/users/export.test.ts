import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { manualClock } from '../../test/manual-clock.js';
import { signInAs, type Person } from '../../test/people.js';
import { exportHeaders } from './export.js';

let t: TestApp;
const clock = manualClock('2026-04-02T09:30:00Z');
let moderator: Person;
let agent: Person;
let customer: Person;
let tricky: Person;
let cyrillic: Person;

const download = (query: string, who: Person) =>
  t.app.inject({ method: 'GET', url: `/api/v1/users/export?${query}`, headers: who.headers });

/** Parses RFC 4180 CSV: quoted fields with doubled quotes, CRLF line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      index += 1;
    } else field += char;
  }
  expect(field, 'the file ends with a line break').toBe('');
  return rows;
}

beforeAll(async () => {
  t = await createTestApp({ clock, env: { RATE_LIMIT_MAX: '10000' } });
  moderator = await signInAs(t, 'moderator', { first_name: 'Mod' });
  agent = await signInAs(t, 'agent', { first_name: 'Agnes', last_name: 'Exportova' });
  clock.advance(60_000);
  customer = await signInAs(t, 'user', {
    first_name: 'Ann, "the" customer',
    last_name: 'Exportova',
    username: 'ann_x',
  });
  clock.advance(60_000);
  tricky = await signInAs(t, 'user', {
    first_name: '=HYPERLINK("http://evil")',
    last_name: 'Exportova',
  });
  cyrillic = await signInAs(t, 'user', {
    first_name: 'Светлана',
    last_name: 'Exportova',
    language_code: 'ru',
  });
  await t.container.users.setActive(tricky.id, false);
});
afterAll(() => t.close());

describe('GET /users/export?format=csv', () => {
  it('streams a UTF-8 CSV with a BOM, a header row and one quoted line per user', async () => {
    const response = await download('format=csv&q=exportova', moderator);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(
      'attachment; filename="users-2026-04-02.csv"',
    );
    const bytes = response.rawPayload;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = parseCsv(bytes.subarray(3).toString('utf8'));
    expect(header).toEqual(exportHeaders);
    expect(rows.map((row) => row[0])).toEqual([cyrillic.id, tricky.id, customer.id, agent.id]);
    const byId = new Map(
      rows.map((row) => [row[0], Object.fromEntries(exportHeaders.map((h, i) => [h, row[i]]))]),
    );
    expect(byId.get(customer.id)).toMatchObject({
      username: 'ann_x',
      first_name: 'Ann, "the" customer',
      role: 'user',
      is_active: 'true',
      bot_blocked: 'false',
      created_at: '2026-04-02T09:31:00.000Z',
      last_seen_at: '2026-04-02T09:31:00.000Z',
    });
    expect(byId.get(cyrillic.id)).toMatchObject({ first_name: 'Светлана', language_code: 'ru' });
    expect(byId.get(tricky.id)).toMatchObject({
      first_name: `'=HYPERLINK("http://evil")`,
      is_active: 'false',
    });
    expect(Number(byId.get(agent.id)?.telegram_id)).toBeGreaterThan(0);
  });

  it('applies the filters of the list', async () => {
    const text = (
      await download('format=csv&q=exportova&is_active=true&kind=customers', moderator)
    ).rawPayload
      .subarray(3)
      .toString('utf8');
    expect(
      parseCsv(text)
        .slice(1)
        .map((row) => row[0]),
    ).toEqual([cyrillic.id, customer.id]);
    const none = await download('format=csv&q=nobody_at_all', moderator);
    expect(parseCsv(none.rawPayload.subarray(3).toString('utf8'))).toEqual([exportHeaders]);
  });

  it('reads the table in batches, every user once', async () => {
    const seen: string[] = [];
    for await (const batch of t.container.users.exportBatches(
      { userId: moderator.id, role: 'moderator' },
      { q: 'exportova' },
      3,
    )) {
      expect(batch.length).toBeLessThanOrEqual(3);
      seen.push(...batch.map((row) => row.id));
    }
    expect(seen).toEqual([cyrillic.id, tricky.id, customer.id, agent.id]);
  });
});

describe('GET /users/export?format=xlsx', () => {
  it('streams a workbook with a frozen, filtered header row and typed cells', async () => {
    const response = await download('format=xlsx&q=exportova&kind=customers', moderator);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(response.headers['content-disposition']).toBe(
      'attachment; filename="users-2026-04-02.xlsx"',
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Users');
    if (!sheet) throw new Error('no Users sheet');
    expect(sheet.getRow(1).values).toEqual([undefined, ...exportHeaders]);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBeTruthy();
    expect(sheet.rowCount).toBe(4);
    const row = (index: number) =>
      Object.fromEntries(
        exportHeaders.map((h, i) => [h, sheet.getRow(index).getCell(i + 1).value]),
      );
    expect(row(2)).toMatchObject({ id: cyrillic.id, first_name: 'Светлана' });
    const ann = row(4);
    expect(ann).toMatchObject({
      id: customer.id,
      first_name: 'Ann, "the" customer',
      is_active: true,
      bot_blocked: false,
      last_name: 'Exportova',
      created_at: new Date('2026-04-02T09:31:00.000Z'),
    });
    expect(typeof ann.telegram_id).toBe('number');
    expect(row(3)).toMatchObject({ id: tricky.id, is_active: false });
  });
});

describe('GET /users/export refusals', () => {
  it('refuses agents and customers (403) and callers without a token (401)', async () => {
    expect((await download('format=csv', agent)).statusCode).toBe(403);
    expect((await download('format=xlsx', customer)).statusCode).toBe(403);
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/users/export?format=csv' });
    expect(anonymous.statusCode).toBe(401);
  });

  it.each([
    ['format=pdf', 'query.format'],
    ['', 'query.format'],
    ['format=csv&kind=all', 'query.kind'],
    ['format=csv&last_seen_after=soon', 'query.last_seen_after'],
    ['format=csv&limit=5', 'query.limit'],
  ])('answers 422 problem+json for %s', async (query, field) => {
    const response = await download(query, moderator);
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().errors).toEqual([expect.objectContaining({ field })]);
  });
});
