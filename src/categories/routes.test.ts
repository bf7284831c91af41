import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import {
  openTicket,
  signInEveryRole,
  type Person,
  callAs,
  type Method,
} from '../../test/people.js';
import { auditLog, type UserRole } from '../db/schema.js';
import type { Problem } from '../http/problem.js';
import type { CategoryDto } from './schemas.js';

const missingId = '01a20d14-0000-7000-8000-000000000000';

describe('categories', () => {
  let t: TestApp;
  let people: Record<UserRole, Person>;
  let uniqueName = 0;

  beforeAll(async () => {
    t = await createTestApp();
    people = await signInEveryRole(t);
  });
  afterAll(() => t.close());

  const call = (person: Person, method: Method, url: string, payload?: object) =>
    callAs(t, person, method, url, payload);

  /** A name no other test of this file uses. */
  const freshName = (stem = 'Category') => {
    uniqueName += 1;
    return `${stem} ${uniqueName}`;
  };

  /** Creates a category through the API as the admin. */
  async function create(fields: Partial<Omit<CategoryDto, 'id'>> = {}): Promise<CategoryDto> {
    const response = await call(people.admin, 'POST', '/categories', {
      name: freshName(),
      ...fields,
    });
    expect(response.statusCode).toBe(201);
    return response.json<CategoryDto>();
  }

  /** Every category the person may list, on one page of up to 100. */
  async function listAs(person: Person, query = ''): Promise<CategoryDto[]> {
    const filters = query.replace(/^\?/, '&');
    const response = await call(person, 'GET', `/categories?limit=100${filters}`);
    expect(response.statusCode).toBe(200);
    const body = response.json<{ items: CategoryDto[]; next_cursor: null }>();
    expect(body.next_cursor).toBeNull();
    return body.items;
  }

  async function auditActions(categoryId: string): Promise<string[]> {
    const rows = await t.container.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityId, categoryId))
      .orderBy(asc(auditLog.createdAt), asc(auditLog.id));
    return rows.map((row) => row.action);
  }

  describe('GET /categories', () => {
    let middle: CategoryDto;
    let alpha: CategoryDto;
    let zeta: CategoryDto;
    let retired: CategoryDto;

    beforeAll(async () => {
      zeta = await create({ name: 'Zeta list', sort_order: 5 });
      alpha = await create({ name: 'Alpha list', sort_order: 5 });
      middle = await create({ name: 'Middle list', sort_order: 1 });
      retired = await create({ name: 'Retired list', sort_order: 0, is_active: false });
    });

    const ours = (items: CategoryDto[]) =>
      items
        .filter((item) => [middle.id, alpha.id, zeta.id, retired.id].includes(item.id))
        .map((item) => item.name);

    it('shows every signed-in role the active categories by sort_order, then name', async () => {
      for (const person of Object.values(people)) {
        expect(ours(await listAs(person))).toEqual(['Middle list', 'Alpha list', 'Zeta list']);
      }
    });

    it('orders the whole list by sort_order', async () => {
      const orders = (await listAs(people.user)).map((item) => item.sort_order);
      expect(orders).toEqual([...orders].sort((a, b) => a - b));
    });

    it('pages through categories in display order and returns only the fields asked for', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query = '?limit=2&include_inactive=true' + (cursor ? `&cursor=${cursor}` : '');
        const response = await call(people.agent, 'GET', `/categories${query}`);
        const page: { items: CategoryDto[]; next_cursor: string | null } = response.json();
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((item) => item.id));
        cursor = page.next_cursor;
      } while (cursor);
      const all = await listAs(people.agent, '?include_inactive=true');
      expect(seen).toEqual(all.map((item) => item.id));
      const sparse = await call(people.user, 'GET', '/categories?fields=id,name&limit=1');
      expect(Object.keys(sparse.json<{ items: object[] }>().items[0] ?? {})).toEqual([
        'id',
        'name',
      ]);
    });

    it('shows staff inactive categories too with include_inactive=true', async () => {
      for (const person of [people.agent, people.moderator, people.admin, people.owner]) {
        expect(ours(await listAs(person, '?include_inactive=true'))).toEqual([
          'Retired list',
          'Middle list',
          'Alpha list',
          'Zeta list',
        ]);
      }
    });

    it('refuses a user include_inactive=true with 403 but accepts include_inactive=false', async () => {
      const response = await call(people.user, 'GET', '/categories?include_inactive=true');
      expect(response.statusCode).toBe(403);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(ours(await listAs(people.user, '?include_inactive=false'))).toHaveLength(3);
    });

    it('answers 422 for an include_inactive that is not true or false', async () => {
      const response = await call(people.agent, 'GET', '/categories?include_inactive=yes');
      expect(response.statusCode).toBe(422);
      expect(response.json<Problem>().errors?.[0]?.field).toBe('query.include_inactive');
    });

    it('answers 401 without a token', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/api/v1/categories' });
      expect(response.statusCode).toBe(401);
    });
  });

  describe('GET /categories/:id', () => {
    it('shows an active category to everyone', async () => {
      const category = await create();
      const response = await call(people.user, 'GET', `/categories/${category.id}`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(category);
    });

    it('hides an inactive category from a user (404) but shows it to an agent', async () => {
      const category = await create({ is_active: false });
      expect((await call(people.user, 'GET', `/categories/${category.id}`)).statusCode).toBe(404);
      const asAgent = await call(people.agent, 'GET', `/categories/${category.id}`);
      expect(asAgent.statusCode).toBe(200);
      expect(asAgent.json<CategoryDto>().is_active).toBe(false);
    });

    it('answers 404 for an unknown id and 422 naming params.id for a malformed one', async () => {
      expect((await call(people.agent, 'GET', `/categories/${missingId}`)).statusCode).toBe(404);
      const malformed = await call(people.agent, 'GET', '/categories/42');
      expect(malformed.statusCode).toBe(422);
      expect(malformed.json<Problem>().errors?.[0]?.field).toBe('params.id');
    });
  });

  describe('POST /categories', () => {
    it('lets an admin create a category with the documented defaults', async () => {
      const name = freshName('Defaults');
      const response = await call(people.admin, 'POST', '/categories', { name });
      expect(response.statusCode).toBe(201);
      const category = response.json<CategoryDto>();
      expect(new Set(Object.keys(category))).toEqual(
        new Set([
          'id',
          'name',
          'description',
          'icon',
          'color',
          'is_active',
          'sort_order',
          'translations',
          'created_at',
          'updated_at',
        ]),
      );
      expect(category).toMatchObject({
        name,
        description: '',
        icon: '',
        color: '#8e8e93',
        sort_order: 0,
        is_active: true,
        translations: {},
      });
      expect(category.created_at).toBe(category.updated_at);
      expect((await call(people.user, 'GET', `/categories/${category.id}`)).json()).toEqual(
        category,
      );
    });

    it('keeps every field the admin gives, and lets an owner create too', async () => {
      const fields = {
        name: freshName('Full'),
        description: 'Payments and invoices',
        icon: '💳',
        color: '#34C759',
        sort_order: -3,
        is_active: false,
      };
      const response = await call(people.owner, 'POST', '/categories', fields);
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject(fields);
    });

    it('removes HTML from the name and description', async () => {
      const category = await create({
        name: '<b>Bold</b> name',
        description: '<script>alert(1)</script>Plain <i>words</i>',
      });
      expect(category).toMatchObject({ name: 'Bold name', description: 'Plain words' });
    });

    it.each(['user', 'agent', 'moderator'] as const)('refuses the %s with 403', async (role) => {
      const name = freshName('Refused');
      const response = await call(people[role], 'POST', '/categories', { name });
      expect(response.statusCode).toBe(403);
      const names = (await listAs(people.admin, '?include_inactive=true')).map((c) => c.name);
      expect(names).not.toContain(name);
    });

    it('refuses a name that exists already, whatever its case, with 409', async () => {
      const existing = await create({ name: 'Network Issues' });
      for (const name of ['Network Issues', 'NETWORK issues', '  network issues  ']) {
        const response = await call(people.admin, 'POST', '/categories', { name });
        expect(response.statusCode).toBe(409);
        expect(response.json<Problem>().code).toBe('duplicate_name');
      }
      const names = (await listAs(people.admin, '?include_inactive=true')).filter(
        (category) => category.name.toLowerCase() === 'network issues',
      );
      expect(names.map((category) => category.id)).toEqual([existing.id]);
    });

    it('compares Cyrillic names regardless of case too', async () => {
      await create({ name: 'Принтеры' });
      const response = await call(people.admin, 'POST', '/categories', { name: 'ПРИНТЕРЫ' });
      expect(response.statusCode).toBe(409);
    });

    it.each([
      ['a colour that is not #rrggbb', { color: 'red' }, 'color'],
      ['a short colour', { color: '#fff' }, 'color'],
      ['a name over 100 characters', { name: 'n'.repeat(101) }, 'name'],
      ['an empty name', { name: '   ' }, 'name'],
      ['a name of markup only', { name: '<p></p>' }, 'name'],
      ['a description over 500 characters', { description: 'd'.repeat(501) }, 'description'],
      ['an icon over 16 characters', { icon: 'i'.repeat(17) }, 'icon'],
      ['a fractional sort_order', { sort_order: 1.5 }, 'sort_order'],
      ['an unknown field', { parent_id: missingId }, 'parent_id'],
    ])('refuses %s with 422 naming the field', async (_case, change, field) => {
      const response = await call(people.admin, 'POST', '/categories', {
        name: freshName('Invalid'),
        ...change,
      });
      expect(response.statusCode).toBe(422);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json<Problem>().errors?.[0]?.field).toBe(field);
    });

    it('accepts a name of exactly 100 characters', async () => {
      const name = `${freshName('Long')} `.padEnd(100, 'x');
      const category = await create({ name });
      expect(category.name).toHaveLength(100);
    });
  });

  describe('names in other languages', () => {
    const russian = { ru: { name: 'Оплата', description: 'Платежи, счета, возвраты' } };

    it('keeps the names an admin gives per language and shows them to everyone', async () => {
      const category = await create({
        name: freshName('Billing'),
        description: 'Payments, invoices, refunds',
        translations: russian,
      });
      expect(category.translations).toEqual(russian);
      const [listed] = (await listAs(people.user)).filter((item) => item.id === category.id);
      expect(listed?.translations).toEqual(russian);
      const picked = await call(people.user, 'GET', `/categories?limit=100&fields=id,translations`);
      expect(
        picked
          .json<{ items: Partial<CategoryDto>[] }>()
          .items.find((item) => item.id === category.id),
      ).toEqual({ id: category.id, translations: russian });
    });

    it('replaces them all on PUT, records the change, and takes a name without a description', async () => {
      const category = await create({ translations: russian });
      const response = await call(people.admin, 'PUT', `/categories/${category.id}`, {
        translations: { en: { name: 'Payments' }, uk: { name: '<b>Оплата</b>' } },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json<CategoryDto>().translations).toEqual({
        en: { name: 'Payments' },
        uk: { name: 'Оплата' },
      });
      const [updated] = await t.container.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.entityId, category.id), eq(auditLog.action, 'category.updated')));
      expect(updated?.before).toEqual({ translations: russian });
    });

    it.each([
      ['a language code that is not one', { 'ru-RU': { name: 'Оплата' } }],
      ['a translation without a name', { ru: { description: 'Платежи' } }],
      ['a translated name over 100 characters', { ru: { name: 'н'.repeat(101) } }],
      ['a translation of markup only', { ru: { name: '<p></p>' } }],
    ])('refuses %s with 422 naming translations', async (_case, translations) => {
      const response = await call(people.admin, 'POST', '/categories', {
        name: freshName('Invalid'),
        translations,
      });
      expect(response.statusCode).toBe(422);
      expect(response.json<Problem>().errors?.[0]?.field).toMatch(/^translations/);
    });
  });

  describe('PUT /categories/:id', () => {
    it('changes the fields given and leaves the others', async () => {
      const category = await create({ description: 'Old', icon: '🖨', sort_order: 2 });
      const name = freshName('Renamed');
      const response = await call(people.admin, 'PUT', `/categories/${category.id}`, {
        name,
        color: '#112233',
        sort_order: 7,
      });
      expect(response.statusCode).toBe(200);
      const changed = response.json<CategoryDto>();
      expect(changed).toMatchObject({
        id: category.id,
        name,
        description: 'Old',
        icon: '🖨',
        color: '#112233',
        sort_order: 7,
        is_active: true,
        created_at: category.created_at,
      });
      expect(new Date(changed.updated_at).getTime()).toBeGreaterThanOrEqual(
        new Date(category.updated_at).getTime(),
      );
      expect((await call(people.user, 'GET', `/categories/${category.id}`)).json()).toEqual(
        changed,
      );
    });

    it('lets an admin deactivate and reactivate a category', async () => {
      const category = await create();
      const off = await call(people.admin, 'PUT', `/categories/${category.id}`, {
        is_active: false,
      });
      expect(off.json<CategoryDto>().is_active).toBe(false);
      expect((await call(people.user, 'GET', `/categories/${category.id}`)).statusCode).toBe(404);
      const on = await call(people.admin, 'PUT', `/categories/${category.id}`, {
        is_active: true,
      });
      expect(on.json<CategoryDto>().is_active).toBe(true);
      expect((await call(people.user, 'GET', `/categories/${category.id}`)).statusCode).toBe(200);
    });

    it('refuses a rename to another category’s name, whatever its case, with 409', async () => {
      await create({ name: 'Taken Name' });
      const category = await create();
      const response = await call(people.admin, 'PUT', `/categories/${category.id}`, {
        name: 'taken name',
      });
      expect(response.statusCode).toBe(409);
      expect(response.json<Problem>().code).toBe('duplicate_name');
      expect((await call(people.user, 'GET', `/categories/${category.id}`)).json()).toEqual(
        category,
      );
    });

    it('lets a category change the case of its own name', async () => {
      const category = await create({ name: 'Case Study' });
      const response = await call(people.admin, 'PUT', `/categories/${category.id}`, {
        name: 'CASE STUDY',
      });
      expect(response.statusCode).toBe(200);
      expect(response.json<CategoryDto>().name).toBe('CASE STUDY');
    });

    it.each([
      ['an empty body', {}, 'body'],
      ['an invalid colour', { color: '#12345g' }, 'color'],
      ['an unknown field', { name: 'Fine', slug: 'fine' }, 'slug'],
    ])('refuses %s with 422', async (_case, payload, field) => {
      const category = await create();
      const response = await call(people.admin, 'PUT', `/categories/${category.id}`, payload);
      expect(response.statusCode).toBe(422);
      expect(response.json<Problem>().errors?.[0]?.field).toBe(field);
    });

    it('answers 404 for an unknown id', async () => {
      const response = await call(people.admin, 'PUT', `/categories/${missingId}`, {
        name: freshName(),
      });
      expect(response.statusCode).toBe(404);
    });

    it.each(['user', 'agent', 'moderator'] as const)('refuses the %s with 403', async (role) => {
      const category = await create();
      const response = await call(people[role], 'PUT', `/categories/${category.id}`, {
        name: freshName('Hijacked'),
      });
      expect(response.statusCode).toBe(403);
      expect((await call(people.user, 'GET', `/categories/${category.id}`)).json()).toEqual(
        category,
      );
    });
  });

  describe('DELETE /categories/:id', () => {
    it('deletes a category no ticket uses', async () => {
      const category = await create();
      const response = await call(people.admin, 'DELETE', `/categories/${category.id}`);
      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');
      expect((await call(people.agent, 'GET', `/categories/${category.id}`)).statusCode).toBe(404);
      const again = await call(people.admin, 'DELETE', `/categories/${category.id}`);
      expect(again.statusCode).toBe(404);
    });

    it('only deactivates a category a ticket uses, and the ticket keeps it', async () => {
      const category = await create();
      const ticket = await openTicket(t, people.user, category.id);
      const response = await call(people.admin, 'DELETE', `/categories/${category.id}`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ id: category.id, is_active: false });
      const kept = await call(people.user, 'GET', `/tickets/${ticket.id}`);
      expect(kept.json()).toMatchObject({ id: ticket.id, category_id: category.id });
      expect((await call(people.user, 'GET', `/categories/${category.id}`)).statusCode).toBe(404);
      expect((await listAs(people.user)).map((item) => item.id)).not.toContain(category.id);
      const again = await call(people.admin, 'DELETE', `/categories/${category.id}`);
      expect(again.statusCode).toBe(200);
      expect(again.json<CategoryDto>().is_active).toBe(false);
    });

    it.each(['user', 'agent', 'moderator'] as const)('refuses the %s with 403', async (role) => {
      const category = await create();
      const response = await call(people[role], 'DELETE', `/categories/${category.id}`);
      expect(response.statusCode).toBe(403);
      expect((await call(people.user, 'GET', `/categories/${category.id}`)).statusCode).toBe(200);
    });

    it('answers 404 for an unknown id', async () => {
      expect((await call(people.admin, 'DELETE', `/categories/${missingId}`)).statusCode).toBe(404);
    });
  });

  describe('POST /tickets and categories', () => {
    const openIn = (categoryId: string) =>
      call(people.user, 'POST', '/tickets', {
        category_id: categoryId,
        title: 'Where is my refund?',
        description: 'It has been two weeks.',
      });

    it('opens a ticket in an active category', async () => {
      const category = await create();
      const response = await openIn(category.id);
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ category_id: category.id });
    });

    it('refuses an inactive category with 422 on category_id', async () => {
      const category = await create({ is_active: false });
      const response = await openIn(category.id);
      expect(response.statusCode).toBe(422);
      expect(response.json<Problem>().errors).toEqual([
        expect.objectContaining({ field: 'category_id' }),
      ]);
    });

    it('refuses a category that was deactivated because tickets use it', async () => {
      const category = await create();
      await openTicket(t, people.user, category.id);
      await call(people.admin, 'DELETE', `/categories/${category.id}`);
      const response = await openIn(category.id);
      expect(response.statusCode).toBe(422);
      expect(response.json<Problem>().errors?.[0]?.field).toBe('category_id');
    });

    it('refuses an unknown category with 422 on category_id', async () => {
      const response = await openIn(missingId);
      expect(response.statusCode).toBe(422);
      expect(response.json<Problem>().errors?.[0]?.field).toBe('category_id');
    });
  });

  describe('audit', () => {
    it('records creating, changing and deactivating a category', async () => {
      const category = await create();
      await call(people.admin, 'PUT', `/categories/${category.id}`, { sort_order: 9 });
      await openTicket(t, people.user, category.id);
      await call(people.admin, 'DELETE', `/categories/${category.id}`);
      expect(await auditActions(category.id)).toEqual([
        'category.created',
        'category.updated',
        'category.deactivated',
      ]);
      const [updated] = await t.container.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.entityId, category.id), eq(auditLog.action, 'category.updated')));
      expect(updated).toMatchObject({
        actorId: people.admin.id,
        entityType: 'category',
        before: { sort_order: 0 },
        after: { sort_order: 9 },
      });
    });

    it('records deleting a category', async () => {
      const category = await create();
      await call(people.admin, 'DELETE', `/categories/${category.id}`);
      expect(await auditActions(category.id)).toEqual(['category.created', 'category.deleted']);
    });

    it('records nothing for a change that changes nothing or is refused', async () => {
      const category = await create({ sort_order: 4 });
      const same = await call(people.admin, 'PUT', `/categories/${category.id}`, {
        sort_order: 4,
      });
      expect(same.statusCode).toBe(200);
      await call(people.agent, 'PUT', `/categories/${category.id}`, { sort_order: 5 });
      expect(await auditActions(category.id)).toEqual(['category.created']);
    });
  });
});
