/**
 * Lighthouse 12 (mobile preset: a mid-range phone on slow 4G, simulated) on the Mini App's
 * dashboard, opened as Telegram opens it (signed launch parameters in the hash, the Telegram
 * Android client's `TelegramWebviewProxy` stood in by e2e/harness.ts) against a real server with
 * 40 tickets, driving Debian's Chromium. Prints the performance and accessibility scores and the
 * gzipped size of the initial JavaScript. `npm run bench:web`.
 *
 * Exits 1 with one line saying why when the figures would not be those of the page Telegram
 * users get: Lighthouse's trace failed or a score is missing, the page threw, or it did not end
 * up signed in on the dashboard inside "Telegram".
 */
import os from 'node:os';
import * as chromeLauncher from 'chrome-launcher';
import { navigation, type Result } from 'lighthouse';
import puppeteer, { type Page } from 'puppeteer-core';
import { buildWeb, isStale } from '../web/build.js';
import {
  apiSignIn,
  call,
  chromiumFlags,
  chromiumPath,
  hasChromium,
  launchUrl,
  startServer,
  telegramStandIn,
} from '../e2e/harness.js';
import { LighthouseFailed, scoresOf } from './lighthouse-report.js';
import { initialJs } from './web-size.js';

// The page functions below run in the browser; this program has no DOM types.
declare const window: Record<string, unknown>;
declare const document: { body: { innerText: string } };

const customer = { id: 5000, first_name: 'Alice', language_code: 'en' };
const ownerId = 1000;
const ticketCount = 40;

async function seed(base: string): Promise<void> {
  const owner = await apiSignIn(base, { id: ownerId, first_name: 'Olga' });
  const category = await call<{ id: string }>(base, owner.token, 'POST', '/categories', {
    name: 'Billing',
    icon: '💳',
    description: 'Payments, invoices and refunds',
  });
  const { token } = await apiSignIn(base, customer);
  for (let index = 1; index <= ticketCount; index += 1) {
    await call(base, token, 'POST', '/tickets', {
      category_id: category.id,
      title: `Invoice ${index} shows the wrong amount`,
      description: 'The total does not match the order.',
      priority: index % 7 === 0 ? 'high' : 'normal',
    });
  }
}

/**
 * Checks that what Lighthouse measured is the dashboard as a Telegram user sees it: the app
 * talked to the Telegram client (it posts `web_app_ready` only when it found the client and the
 * launch parameters) and shows the customer's newest ticket.
 */
async function checkDashboard(page: Page): Promise<void> {
  const newest = `Invoice ${ticketCount} shows the wrong amount`;
  try {
    await page.waitForFunction(
      (title: string) => document.body.innerText.includes(title),
      {
        timeout: 10_000,
      },
      newest,
    );
  } catch {
    throw new LighthouseFailed(`the dashboard never showed "${newest}": not signed in?`);
  }
  const posted = await page.evaluate(() =>
    ((window.__posted ?? []) as [string, unknown][]).map(([name]) => name),
  );
  if (!posted.includes('web_app_ready')) {
    throw new LighthouseFailed(
      `the page did not run as inside Telegram: it posted [${posted.join(', ')}] to the client, no web_app_ready`,
    );
  }
}

/** Prints what Lighthouse measured. */
function print(lhr: Result): void {
  const { performance, accessibility } = scoresOf(lhr);
  const { audits } = lhr;
  console.log(`Lighthouse ${lhr.lighthouseVersion}, mobile preset, dashboard inside Telegram`);
  console.log(`performance:   ${performance}`);
  console.log(`accessibility: ${accessibility}`);
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
      lhr.categories.accessibility?.auditRefs.some((ref) => ref.id === audit.id && ref.weight > 0)
    ) {
      console.log(`  a11y: ${audit.id}: ${audit.title}`);
    }
  }
  console.log(`  benchmarkIndex: ${lhr.environment.benchmarkIndex}`);
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
}

/** Serves the app, runs Lighthouse on the dashboard inside "Telegram", checks and prints. */
async function bench(): Promise<void> {
  if (isStale()) await buildWeb();
  const server = await startServer({ OWNER_TELEGRAM_IDS: String(ownerId) });
  const chrome = await chromeLauncher.launch({
    chromePath: chromiumPath,
    chromeFlags: ['--headless=new', ...chromiumFlags],
  });
  try {
    await seed(server.url);
    const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => {
      pageErrors.push(error instanceof Error ? error.message : String(error));
    });
    await page.evaluateOnNewDocument(telegramStandIn);
    const result = await navigation(page, launchUrl(server.url, { user: customer }), {
      config: {
        extends: 'lighthouse:default',
        settings: { onlyCategories: ['performance', 'accessibility'] },
      },
    });
    if (!result) throw new LighthouseFailed('Lighthouse returned nothing');
    if (pageErrors.length > 0) {
      throw new LighthouseFailed(`the page threw: ${[...new Set(pageErrors)].join('; ')}`);
    }
    await checkDashboard(page);
    await browser.disconnect();
    print(result.lhr);
    const { gzipBytes } = initialJs();
    console.log(`initial JS:    ${(gzipBytes / 1024).toFixed(1)} KB gzipped`);
  } finally {
    chrome.kill();
    await server.stop();
  }
}

if (!hasChromium) {
  console.error(`No Chromium at ${chromiumPath}: apt-get install chromium`);
  process.exit(1);
}
// The machine's load skews every timing; say what it was.
const load = os.loadavg().map((value) => value.toFixed(2));
console.log(`load average ${load.join(', ')} on ${os.cpus().length} CPUs`);
try {
  await bench();
} catch (error) {
  if (!(error instanceof LighthouseFailed)) throw error;
  console.error(`bench:web failed: ${error.message}`);
  process.exitCode = 1;
}
