/**
 * Lighthouse 12 (mobile preset: a mid-range phone on slow 4G, simulated) on the Mini App's
 * dashboard, opened as Telegram opens it (signed launch parameters in the hash) against a real
 * server with 40 tickets, driving Debian's Chromium. Prints the performance and accessibility
 * scores and the gzipped size of the initial JavaScript. `npm run bench:web`.
 */
import * as chromeLauncher from 'chrome-launcher';
import { navigation } from 'lighthouse';
import puppeteer from 'puppeteer-core';
import { buildWeb, isStale } from '../web/build.js';
import {
  apiSignIn,
  call,
  chromiumFlags,
  chromiumPath,
  hasChromium,
  launchUrl,
  startServer,
} from '../e2e/harness.js';
import { initialJs } from './web-size.js';

const customer = { id: 5000, first_name: 'Alice', language_code: 'en' };
const ownerId = 1000;

async function seed(base: string): Promise<void> {
  const owner = await apiSignIn(base, { id: ownerId, first_name: 'Olga' });
  const category = await call<{ id: string }>(base, owner.token, 'POST', '/categories', {
    name: 'Billing',
    icon: '💳',
    description: 'Payments, invoices and refunds',
  });
  const { token } = await apiSignIn(base, customer);
  for (let index = 1; index <= 40; index += 1) {
    await call(base, token, 'POST', '/tickets', {
      category_id: category.id,
      title: `Invoice ${index} shows the wrong amount`,
      description: 'The total does not match the order.',
      priority: index % 7 === 0 ? 'high' : 'normal',
    });
  }
}

if (!hasChromium) {
  console.error(`No Chromium at ${chromiumPath}: apt-get install chromium`);
  process.exit(1);
}
if (isStale()) await buildWeb();
const server = await startServer({ OWNER_TELEGRAM_IDS: String(ownerId) });
const chrome = await chromeLauncher.launch({
  chromePath: chromiumPath,
  chromeFlags: ['--headless=new', ...chromiumFlags],
});
try {
  await seed(server.url);
  const url = launchUrl(server.url, { user: customer });
  // As inside Telegram's Android client: the page talks to the client through
  // window.TelegramWebviewProxy (so "New ticket" is Telegram's own Main Button, not page HTML).
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
  const page = await browser.newPage();
  await page.evaluateOnNewDocument(() => {
    Object.assign(globalThis, { TelegramWebviewProxy: { postEvent: () => undefined } });
  });
  const result = await navigation(page, url, {
    config: {
      extends: 'lighthouse:default',
      settings: { onlyCategories: ['performance', 'accessibility'] },
    },
  });
  await browser.disconnect();
  if (!result) throw new Error('Lighthouse returned nothing');
  const { categories, audits } = result.lhr;
  if (result.lhr.runtimeError) {
    console.error(
      `Lighthouse failed: ${result.lhr.runtimeError.code} ${result.lhr.runtimeError.message}`,
    );
  }
  const score = (name: string) => Math.round((categories[name]?.score ?? 0) * 100);
  const { gzipBytes } = initialJs();
  console.log(`Lighthouse ${result.lhr.lighthouseVersion}, mobile preset, dashboard`);
  console.log(`performance:   ${score('performance')}`);
  console.log(`accessibility: ${score('accessibility')}`);
  for (const id of [
    'first-contentful-paint',
    'largest-contentful-paint',
    'total-blocking-time',
    'cumulative-layout-shift',
  ]) {
    console.log(`  ${id}: ${audits[id]?.displayValue ?? '?'}`);
  }
  for (const audit of Object.values(audits)) {
    if (
      audit.score !== null &&
      audit.score < 1 &&
      result.lhr.categories.accessibility?.auditRefs.some(
        (ref) => ref.id === audit.id && ref.weight > 0,
      )
    ) {
      console.log(`  a11y: ${audit.id}: ${audit.title}`);
    }
  }
  console.log(`  benchmarkIndex: ${result.lhr.environment.benchmarkIndex}`);
  if (process.env.LH_DEBUG) {
    for (const id of [
      'color-contrast',
      'heading-order',
      'largest-contentful-paint-element',
      'long-tasks',
    ]) {
      console.log(id, (JSON.stringify(audits[id]?.details) ?? '').slice(0, 2500));
    }
  }
  console.log(`initial JS:    ${(gzipBytes / 1024).toFixed(1)} KB gzipped`);
} finally {
  chrome.kill();
  await server.stop();
}
