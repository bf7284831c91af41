/**
 * The admin console and the notification centre (issue 17), walked in Chromium opened as
 * Telegram opens the Mini App: an owner finds people, changes a role, blocks and unblocks,
 * arranges categories, changes settings, schedules the report and exports the people list; a
 * customer finds no way in; the owner reads and marks notifications, and the owner and the
 * customer mute kinds of them. Last, every new page whole in English in the light theme; the
 * other three looks are e2e/admin-pages.test.ts, a file of its own so that the two run side by
 * side (the world both start from: e2e/admin-world.ts).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, hasChromium, type Server } from './harness.js';
import {
  bob,
  checkEveryNewPage,
  customer,
  marina,
  openAdminWorld,
  owners,
  type AdminWorld,
} from './admin-world.js';

/** What a reader of an exported CSV file gets: the header and the rows, split by commas. */
function readCsv(text: string): string[][] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((line) => line.length > 0)
    .map((line) => line.split(','));
}

describe.runIf(hasChromium)('admin console and notification centre', () => {
  let world: AdminWorld;
  let server: Server;
  let ownerToken: string;
  let customerToken: string;
  let ids: Record<string, string>;

  beforeAll(async () => {
    world = await openAdminWorld();
    ({ server, ownerToken, customerToken, ids } = world);
  });

  afterAll(() => world?.close());

  const open: AdminWorld['open'] = (user, options) => world.open(user, options);

  async function person(id: string) {
    return call<{ role: string; is_active: boolean }>(
      server.url,
      ownerToken,
      'GET',
      `/users/${id}`,
    );
  }

  it('opens the section from startapp=admin, finds a person by name and makes them an agent after the confirmation', async () => {
    const page = await open(owners.en, { startParam: 'admin' });
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin');
    await page.getByRole('link', { name: /Categories/ }).waitFor();
    await page.getByRole('link', { name: /Settings/ }).waitFor();
    await page.getByRole('link', { name: /People/ }).click();

    await page.getByRole('searchbox', { name: 'Name, @username or Telegram ID' }).fill('kuzn');
    await page.locator('.person-row', { hasText: 'Marina Kuznetsova' }).waitFor();
    await expect.poll(() => page.locator('.person-row').count()).toBe(1);
    await page.locator('.person-row', { hasText: 'Marina Kuznetsova' }).click();

    await page.getByRole('heading', { name: 'Marina Kuznetsova' }).waitFor();
    await page.getByRole('combobox', { name: 'New role' }).selectOption('agent');
    const sheet = page.getByRole('dialog', { name: 'Make Marina Kuznetsova Agent?' });
    await sheet.getByText('Sees every ticket, answers').waitFor();
    // Nothing changes before the confirmation.
    expect((await person(ids.marina!)).role).toBe('user');
    await sheet.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('status').getByText('Marina Kuznetsova is now Agent').waitFor();
    expect((await person(ids.marina!)).role).toBe('agent');
    // The timeline says it in words.
    await page
      .locator('.timeline')
      .getByText('Olga Owner changed the role from Customer to Agent')
      .waitFor();
  });

  it('shows a refusal of the API in words: nobody changes their own role', async () => {
    const me = await call<{ id: string }>(server.url, ownerToken, 'GET', '/auth/me');
    const page = await open(owners.en, { path: `/admin/users/${me.id}` });
    await page.getByRole('combobox', { name: 'New role' }).selectOption('admin');
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('alert').getByText('Nobody changes their own role.').waitFor();
    expect((await call<{ role: string }>(server.url, ownerToken, 'GET', '/auth/me')).role).toBe(
      'owner',
    );
  });

  it('blocks someone with a reason and unblocks them', async () => {
    const page = await open(owners.en, { path: `/admin/users/${ids.bob}` });
    await page.getByRole('heading', { name: 'Bob Spammer' }).waitFor();
    await page.getByRole('button', { name: 'Block', exact: true }).click();
    const sheet = page.getByRole('dialog', { name: 'Block Bob Spammer?' });
    await sheet.getByRole('textbox', { name: 'Reason (sent to them in Telegram)' }).fill('spam');
    await sheet.getByRole('button', { name: 'Block', exact: true }).click();
    await page.getByRole('status').getByText('Blocked: cannot write to support').waitFor();
    expect((await person(ids.bob!)).is_active).toBe(false);
    await page.locator('.timeline').getByText('Olga Owner blocked the account').waitFor();

    await page.getByRole('button', { name: 'Unblock', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Unblock Bob Spammer?' })
      .getByRole('button', { name: 'Unblock', exact: true })
      .click();
    await page.getByRole('status').getByText('Active').waitFor();
    expect((await person(ids.bob!)).is_active).toBe(true);
    await page.locator('.timeline').getByText('Olga Owner unblocked the account').waitFor();
  });

  it('tells the blocked person the reason in Telegram', async () => {
    // The block of the test above: the people branch sends it (CONTRACT-17, PUT /users/{id}/status).
    await expect
      .poll(() =>
        server.bot
          .sent('sendMessage')
          .filter((call) => (call.params as { chat_id?: number }).chat_id === bob.id)
          .map((call) => String((call.params as { text?: string }).text)),
      )
      .toContainEqual(expect.stringContaining('spam'));
  });

  it('creates a category and moves it to the top', async () => {
    const page = await open(owners.en, { startParam: 'admin_categories' });
    await page.getByRole('heading', { name: 'Categories' }).waitFor();
    await page.locator('.category', { hasText: 'Technical issue' }).waitFor();
    await page.getByRole('button', { name: '+ New category' }).click();
    const sheet = page.getByRole('dialog', { name: 'New category' });
    await sheet.getByRole('textbox', { name: 'Name' }).fill('Delivery');
    await sheet.getByRole('textbox', { name: 'Description' }).fill('Parcels and couriers');
    await sheet.getByRole('textbox', { name: 'Emoji' }).fill('📦');
    await sheet.getByRole('radio', { name: '#af52de' }).check();
    await sheet.getByRole('button', { name: 'Save' }).click();
    await page.locator('.category', { hasText: 'Delivery' }).waitFor();
    const names = () => page.locator('.category-name').allTextContents();
    // New categories come in name order (src/db/seed.ts made "General questions").
    expect(await names()).toEqual(['Billing', 'Delivery', 'General questions', 'Technical issue']);

    await page.getByRole('button', { name: 'Move Delivery up' }).click();
    await expect
      .poll(names)
      .toEqual(['Delivery', 'Billing', 'General questions', 'Technical issue']);
    expect(await page.getByRole('button', { name: 'Move Delivery up' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Move Technical issue up' }).click();
    await expect
      .poll(names)
      .toEqual(['Delivery', 'Billing', 'Technical issue', 'General questions']);
    const listed = await call<{ items: { name: string; color: string; icon: string }[] }>(
      server.url,
      customerToken,
      'GET',
      '/categories',
    );
    expect(listed.items.map((category) => category.name)).toEqual([
      'Delivery',
      'Billing',
      'Technical issue',
      'General questions',
    ]);
    expect(listed.items[0]).toMatchObject({ icon: '📦', color: '#af52de' });
    // The customer's two tickets are open in Billing.
    await page.locator('.category', { hasText: 'Billing' }).getByText('2 open').waitFor();

    await page
      .locator('.category', { hasText: 'Delivery' })
      .getByRole('button', { name: 'Hide' })
      .click();
    await page
      .locator('.category', { hasText: 'Delivery' })
      .getByText('Hidden from new tickets')
      .waitFor();
    const active = await call<{ items: { name: string }[] }>(
      server.url,
      customerToken,
      'GET',
      '/categories',
    );
    expect(active.items.map((category) => category.name)).toEqual([
      'Billing',
      'Technical issue',
      'General questions',
    ]);
  });

  it('changes the reminder threshold, and shows why a wrong value is refused', async () => {
    const page = await open(owners.en, { startParam: 'admin_settings' });
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    const threshold = page.getByRole('spinbutton', {
      name: 'Remind about tickets unanswered for (hours)',
    });
    await threshold.fill('0');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Check the fields marked in red').waitFor();
    await page.locator('[data-field="reminders.after_hours"]').waitFor();

    await threshold.fill('48');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').getByText('Settings saved').waitFor();
    await expect(page.locator('[data-field="reminders.after_hours"]').count()).resolves.toBe(0);
    const settings = await call<{ reminders: { after_hours: number } }>(
      server.url,
      ownerToken,
      'GET',
      '/settings',
    );
    expect(settings.reminders.after_hours).toBe(48);
  });

  it('schedules the report: monthly at 08:30, then weekly on Friday', async () => {
    const page = await open(owners.en, { startParam: 'admin_settings' });
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    const read = () =>
      call<{ scheduled_report: object }>(server.url, ownerToken, 'GET', '/settings');
    await page.getByRole('combobox', { name: 'Send' }).selectOption('monthly');
    // A monthly report goes out on the 1st: no weekday to pick.
    await expect(page.getByRole('combobox', { name: 'On', exact: true }).count()).resolves.toBe(0);
    await page.getByLabel('At', { exact: true }).fill('08:30');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').getByText('Settings saved').waitFor();
    expect((await read()).scheduled_report).toEqual({
      frequency: 'monthly',
      weekday: 1,
      time: '08:30',
    });

    await page.getByRole('combobox', { name: 'Send' }).selectOption('weekly');
    await page.getByRole('combobox', { name: 'On', exact: true }).selectOption({ label: 'Fri' });
    await page.getByRole('button', { name: 'Save settings' }).click();
    // The first save's "Settings saved" may still show: wait for the second save itself.
    await expect
      .poll(async () => (await read()).scheduled_report)
      .toEqual({
        frequency: 'weekly',
        weekday: 5,
        time: '08:30',
      });
  });

  it('exports the filtered people list as CSV and the whole list as Excel, read back', async () => {
    const page = await open(owners.en, { path: '/admin/users' });
    await page.locator('.person-row').first().waitFor();
    await page.getByRole('searchbox', { name: 'Name, @username or Telegram ID' }).fill('kuzn');
    await expect.poll(() => page.locator('.person-row').count()).toBe(1);

    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'CSV' }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/\.csv$/);
    await page
      .getByRole('status')
      .getByText(/^Saved .*\.csv/)
      .waitFor();
    const rows = readCsv(readFileSync(await csv.path(), 'utf8'));
    const [header, ...lines] = rows;
    expect(header).toEqual(
      expect.arrayContaining(['telegram_id', 'first_name', 'last_name', 'role']),
    );
    expect(lines).toHaveLength(1);
    const at = (name: string) => lines[0]![header!.indexOf(name)];
    expect([at('telegram_id'), at('first_name'), at('last_name'), at('role')]).toEqual([
      String(marina.id),
      'Marina',
      'Kuznetsova',
      'agent',
    ]);

    await page.getByRole('searchbox', { name: 'Name, @username or Telegram ID' }).fill('');
    await expect.poll(() => page.locator('.person-row').count()).toBe(5);
    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Excel' }).click(),
    ]);
    expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
    const { default: ExcelJS } = await import('exceljs');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(await xlsx.path());
    const sheet = book.worksheets[0]!;
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(headers).toEqual(expect.arrayContaining(['telegram_id', 'first_name', 'role']));
    expect(sheet.actualRowCount).toBe(6);
    const column = headers.indexOf('telegram_id') + 1;
    const telegramIds = [];
    for (let row = 2; row <= sheet.actualRowCount; row++) {
      telegramIds.push(sheet.getRow(row).getCell(column).value);
    }
    // Typed: numbers, not text.
    const byNumber = (a: unknown, b: unknown) => Number(a) - Number(b);
    expect(telegramIds.toSorted(byNumber)).toEqual(
      [owners.en.id, owners.ru.id, marina.id, bob.id, customer.id].toSorted(byNumber),
    );
  });

  it('shows a customer no admin entry, and the API refuses them settings and export', async () => {
    const page = await open(customer);
    await page.getByRole('heading', { name: 'My tickets' }).waitFor();
    await page.getByRole('link', { name: /Notifications/ }).waitFor();
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);

    const admin = await open(customer, { startParam: 'admin' });
    await admin.getByText('This section is for support staff only.').waitFor();
    expect(await admin.getByRole('link', { name: /People/ }).count()).toBe(0);

    for (const path of ['/settings', '/users/export?format=csv', '/users/export?format=xlsx']) {
      const response = await fetch(`${server.url}/api/v1${path}`, {
        headers: { authorization: `Bearer ${customerToken}` },
      });
      expect(response.status, path).toBe(403);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
  });

  it('shows the owner the unread count, opens a notification’s ticket and marks all read', async () => {
    const page = await open(owners.en);
    await page.getByRole('link', { name: 'Admin' }).waitFor();
    await page.getByTestId('unread-badge').getByText('2').waitFor();
    await page.getByRole('link', { name: 'Notifications: 2 unread' }).click();
    await page.getByRole('heading', { name: 'Notifications', exact: true }).waitFor();
    await page.getByTestId('unread-count').getByText('2 unread').waitFor();
    expect(await page.locator('.inbox-item.unread').count()).toBe(2);

    // A tap marks it read and opens its ticket.
    await page.locator('.inbox-item.unread').first().click();
    await page.waitForURL(/\/tickets\//);
    await page.goBack();
    await page.getByTestId('unread-count').getByText('1 unread').waitFor();

    await page.getByRole('button', { name: 'Mark all read' }).click();
    await page.getByTestId('unread-count').getByText('0 unread').waitFor();
    expect(await page.locator('.inbox-item.unread').count()).toBe(0);
    const unread = await call<{ unread_count: number }>(
      server.url,
      ownerToken,
      'GET',
      '/notifications/unread-count',
    );
    expect(unread.unread_count).toBe(0);
  });

  it('saves the notification preferences: a muted kind, quiet hours, the digest', async () => {
    const page = await open(owners.en, { startParam: 'notifications' });
    await page.getByRole('heading', { name: 'Notifications', exact: true }).waitFor();
    await page.getByRole('checkbox', { name: 'New messages' }).uncheck({ force: true });
    await page.getByRole('checkbox', { name: 'Quiet hours' }).check({ force: true });
    await page
      .getByRole('checkbox', {
        name: 'Daily digest of overdue tickets instead of a reminder for each',
      })
      .check({ force: true });
    await page.getByRole('checkbox', { name: 'On duty: told about new tickets' }).uncheck({
      force: true,
    });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').getByText('Saved').waitFor();
    const me = await call<{ notification_settings: object; on_duty: boolean }>(
      server.url,
      ownerToken,
      'GET',
      '/auth/me',
    );
    expect(me.notification_settings).toEqual({
      muted_types: ['new_message'],
      quiet_hours: { start: '22:00', end: '08:00' },
      digest: true,
    });
    expect(me.on_duty).toBe(false);
  });

  it('mutes a kind for a customer: Telegram no longer brings it, the other kinds still come', async () => {
    const page = await open(customer, { path: '/notifications' });
    await page.getByRole('heading', { name: 'Notifications', exact: true }).waitFor();
    // A customer is offered only the kinds a customer is sent.
    expect(await page.getByRole('checkbox', { name: 'New tickets' }).count()).toBe(0);
    await page.getByRole('checkbox', { name: 'New messages' }).uncheck({ force: true });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').getByText('Saved').waitFor();

    const tickets = await call<{ items: { id: string }[] }>(
      server.url,
      customerToken,
      'GET',
      '/tickets',
    );
    const ticket = tickets.items[0]!.id;
    await call(server.url, ownerToken, 'POST', `/tickets/${ticket}/messages`, {
      content: 'A reply the customer muted',
    });
    await call(server.url, ownerToken, 'PUT', `/tickets/${ticket}/status`, {
      status: 'waiting',
    });
    const toCustomer = () =>
      server.bot
        .sent('sendMessage')
        .filter((sent) => (sent.params as { chat_id?: number }).chat_id === customer.id)
        .map((sent) => String((sent.params as { text?: string }).text));
    // The status change, sent after the message, arrives; the muted message never does.
    await expect
      .poll(toCustomer, { timeout: 15_000 })
      .toContainEqual(expect.stringContaining('waiting for customer'));
    expect(toCustomer().filter((text) => text.includes('A reply the customer muted'))).toEqual([]);
  });

  // Every new page whole in the look the tests above use (the other three: admin-pages.test.ts).
  it('shows every new page whole: en-light', () => checkEveryNewPage(world, 'en', 'light'));
});
