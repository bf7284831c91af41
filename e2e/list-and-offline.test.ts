import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestTelegramUser } from '../test/init-data.js';
import {
  apiSignIn,
  call,
  hasChromium,
  launchBrowser,
  launchUrl,
  mainButtonState,
  pressMainButton,
  startServer,
  telegramContext,
  type Server,
} from './harness.js';

const owner: TestTelegramUser = { id: 1100, first_name: 'Olga', language_code: 'en' };
const dora: TestTelegramUser = { id: 3100, first_name: 'Dora', language_code: 'en' };
const emil: TestTelegramUser = { id: 3200, first_name: 'Emil', language_code: 'en' };

interface Category {
  id: string;
  name: string;
}

/**
 * Drags a finger down from the top of the page, as a pull-to-refresh gesture. (Scripts run in the
 * page are strings: the test program has no DOM types.)
 */
async function pullDown(page: Page): Promise<void> {
  // Each event in a task of its own, as a finger's are: the page renders in between.
  const fire = (type: string, y: number, before = '') =>
    page.evaluate(`${before}window.dispatchEvent(new TouchEvent('${type}', { touches: '${type}' === 'touchend'
      ? [] : [new Touch({ identifier: 1, target: document.body, clientX: 100, clientY: ${y} })] }))`);
  // The finger goes down at the very top (the only place a pull starts): a wheel scroll still
  // easing out, or rows measured above, could otherwise have moved the page since it was put there.
  await fire('touchstart', 100, 'window.scrollTo(0, 0); ');
  for (const y of [140, 180, 220]) {
    await page.evaluate(
      'new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)))',
    );
    await fire('touchmove', y);
  }
  await fire('touchend', 220);
}

if (!hasChromium) {
  console.warn('e2e: no Chromium at /usr/bin/chromium (apt-get install chromium): skipped');
}

describe.runIf(hasChromium)('the Mini App’s long lists, refreshes and failures', () => {
  let server: Server;
  let browser: Browser;
  let ownerToken: string;
  let category: Category;
  const contexts: BrowserContext[] = [];

  async function open(
    user: TestTelegramUser,
    options: { on?: Server; serviceWorkers?: 'allow' | 'block' } = {},
  ) {
    const context = await telegramContext(browser, false, options.serviceWorkers);
    contexts.push(context);
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(`${request.method()} ${request.url()}`));
    await page.goto(launchUrl((options.on ?? server).url, { user }));
    return { context, page, requests };
  }

  async function openTickets(
    user: TestTelegramUser,
    count: number,
    on: { server: Server; category: Category } = { server, category },
  ): Promise<void> {
    const { token } = await apiSignIn(on.server.url, user);
    for (let index = 1; index <= count; index += 1) {
      await call(on.server.url, token, 'POST', '/tickets', {
        category_id: on.category.id,
        title: `Parcel ${index} has not arrived`,
        description: 'Ordered two weeks ago.',
      });
    }
  }

  beforeAll(async () => {
    server = await startServer({ OWNER_TELEGRAM_IDS: String(owner.id) });
    browser = await launchBrowser();
    ownerToken = (await apiSignIn(server.url, owner)).token;
    category = await call<Category>(server.url, ownerToken, 'POST', '/categories', {
      name: 'Delivery',
      icon: '📦',
      description: 'Parcels and couriers',
    });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  it('loads later pages while scrolling, and a pull from the top fetches the list again', async () => {
    await openTickets(dora, 45);
    const { page, requests } = await open(dora);
    await page.getByRole('link', { name: /Parcel 45 has not arrived/ }).waitFor();
    // Asked once: web/public/boot.js starts these right after signing in, and the app takes them.
    expect(await page.evaluate('Object.keys(window.__ttbPrefetch ?? { none: 1 })')).toEqual([]);
    for (const path of [
      '/api/v1/tickets/counts',
      '/api/v1/tickets?limit=30',
      '/api/v1/categories?limit=100',
    ]) {
      expect(requests.filter((request) => request.endsWith(path))).toHaveLength(1);
    }
    // Virtualised: far fewer rows in the page than tickets; the oldest is not loaded yet.
    expect(await page.locator('.ticket-row').count()).toBeLessThan(30);
    const oldest = page.getByRole('link', { name: /Parcel 1 has not arrived/ });
    await expect
      .poll(
        async () => {
          await page.mouse.wheel(0, 4000);
          return oldest.count();
        },
        { timeout: 15_000 },
      )
      .toBe(1);

    // Back at the very top (the pull only starts there), with nothing still loading.
    await expect
      .poll(() => page.evaluate<number>('(window.scrollTo(0, 0), window.scrollY)'))
      .toBe(0);
    await page.waitForLoadState('networkidle');
    let refetches = 0;
    page.on('request', (request) => {
      if (request.url().includes('/tickets/counts')) refetches += 1;
    });
    // A pull that starts while the list is still settling at the top is not one the page
    // takes (as a finger's would not be): pull again until the page refreshes.
    await expect
      .poll(
        async () => {
          await pullDown(page);
          await page.waitForLoadState('networkidle');
          return refetches;
        },
        { timeout: 15_000 },
      )
      .toBeGreaterThan(0);
  });

  it('shows saved data, marked as such, when the server cannot be reached', async () => {
    // A server of its own, since this test takes it away.
    const own = await startServer({ OWNER_TELEGRAM_IDS: String(owner.id) });
    let running = true;
    try {
      const admin = await apiSignIn(own.url, owner);
      const delivery = await call<Category>(own.url, admin.token, 'POST', '/categories', {
        name: 'Delivery',
        description: 'Parcels and couriers',
      });
      await openTickets(emil, 2, { server: own, category: delivery });
      const { page } = await open(emil, { on: own, serviceWorkers: 'allow' });
      await page.getByRole('link', { name: /Parcel 2 has not arrived/ }).waitFor();
      // The service worker registers once the page is idle, then keeps the API answers it passes.
      await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
      await page.reload();
      await page.getByRole('link', { name: /Parcel 2 has not arrived/ }).waitFor();
      await expect
        .poll(() =>
          page.evaluate<number>(
            "caches.open('ttb-api-v1').then((cache) => cache.keys()).then((keys) => keys.length)",
          ),
        )
        .toBeGreaterThan(0);
      expect(await page.getByText('Offline: showing saved data').count()).toBe(0);

      await own.stop();
      running = false;
      await pullDown(page);
      await page.getByRole('status').getByText('Offline: showing saved data').waitFor();
      await page.getByRole('link', { name: /Parcel 1 has not arrived/ }).waitFor();
    } finally {
      if (running) await own.stop();
    }
  });

  it('puts the server’s refusal next to the field it names, keeping what was typed', async () => {
    const closing = await call<Category>(server.url, ownerToken, 'POST', '/categories', {
      name: 'Returns',
      icon: '↩️',
      description: 'Sending things back',
    });
    const { page } = await open(emil);
    await page.getByRole('heading', { name: 'My tickets' }).waitFor();
    await pressMainButton(page);
    await page.getByRole('radio', { name: /Returns/ }).click();
    await page.getByRole('textbox', { name: 'Title' }).fill('Return label missing');
    await page.getByRole('textbox', { name: 'Description' }).fill('The box had no label inside.');
    await pressMainButton(page);
    await page.getByRole('heading', { name: 'Preview' }).waitFor();
    // Meanwhile an admin stops taking tickets in that category.
    await call(server.url, ownerToken, 'PUT', `/categories/${closing.id}`, { is_active: false });
    await pressMainButton(page);

    const alert = page.getByRole('alert');
    await alert.getByText('is not active').waitFor();
    // The message sits right under the category list, and the typed text is still there.
    const placement = await page.evaluate<boolean>(
      `document.querySelector('.field-error')?.previousElementSibling` +
        `?.querySelector('[role="radiogroup"]') != null`,
    );
    expect(placement).toBe(true);
    expect(await page.getByRole('textbox', { name: 'Title' }).inputValue()).toBe(
      'Return label missing',
    );
  });

  it('says on the new-ticket page that tickets cannot be opened when no category takes them', async () => {
    const active = await call<{ items: Category[] }>(
      server.url,
      ownerToken,
      'GET',
      '/categories?limit=100',
    );
    for (const { id } of active.items) {
      await call(server.url, ownerToken, 'PUT', `/categories/${id}`, { is_active: false });
    }
    try {
      const { page } = await open(emil);
      await page.getByRole('heading', { name: 'My tickets' }).waitFor();
      await pressMainButton(page);
      await page.getByRole('heading', { name: 'New ticket' }).waitFor();
      await page
        .getByRole('status')
        .getByText('Tickets cannot be opened yet: support has not set up any categories.')
        .waitFor();
      expect((await mainButtonState(page)).is_active).toBe(false);
    } finally {
      for (const { id } of active.items) {
        await call(server.url, ownerToken, 'PUT', `/categories/${id}`, { is_active: true });
      }
    }
  });
});
