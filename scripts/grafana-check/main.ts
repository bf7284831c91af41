// .ci/deploy-grafana-check: are the dashboards in deploy/grafana/ what Grafana loads, and do
// their queries show something?
//
//   npx tsx scripts/grafana-check/main.ts [--static] [--self-test] [DEPLOY_DIR]
//
// 1. Every dashboard JSON parses and has what Grafana needs (uid, title, panels with unique
//    ids, a provisioned data source, targets with an expression).
// 2. Every query is valid PromQL (promtool check rules).
// 3. Unless --static: a real server (embedded database, the fake Bot API) and a real Prometheus
//    scraping it and node_exporter; after some traffic and two scrapes, every query runs through
//    Prometheus's HTTP API and must answer without error and, apart from the few listed in
//    `mayBeEmpty`, with data. Prints panel → query → result.
// --self-test then feeds broken copies of the dashboards and fails unless each is caught.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startServer, stopServer, type Server } from '../../bench/server.js';
import { startFakeBotApi, type FakeBotApi } from '../../test/fake-bot-api.js';
import { testBotToken } from '../../test/init-data.js';
import { expandGrafanaVariables, readDashboards, type PanelQuery } from './dashboards.js';
import {
  instantQuery,
  promqlSyntaxError,
  scrapeIntervalSeconds,
  startNodeExporter,
  startPrometheus,
  stop,
  waitForScrapes,
  type Started,
} from './prometheus.js';
import { generateTraffic, ownerTelegramId } from './traffic.js';

/** Panels that show rare events the traffic cannot cause; empty is fine, an error is not. */
const mayBeEmpty = new Map([
  ['ttb-api/5xx per second by route', 'no request of the traffic fails with 5xx'],
]);

/** What `$__rate_interval` becomes: several scrapes of the check's Prometheus. */
const rateInterval = '30s';

interface Outcome {
  query: PanelQuery;
  result: string;
  failed: boolean;
}

/** Runs every query through Prometheus; a failure is an error, or no data where data must be. */
async function runQueries(prometheusUrl: string, queries: PanelQuery[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const query of queries) {
    const answer = await instantQuery(
      prometheusUrl,
      expandGrafanaVariables(query.expr, rateInterval),
    );
    const key = `${query.dashboardUid}/${query.panelTitle}`;
    if ('error' in answer) {
      outcomes.push({ query, result: `ERROR ${answer.error}`, failed: true });
      continue;
    }
    const values = answer.series.filter((s) => s.value !== 'NaN');
    if (values.length === 0) {
      const allowed = mayBeEmpty.get(key);
      const what = answer.series.length > 0 ? 'only NaN' : 'no data';
      outcomes.push({
        query,
        result: allowed ? `${what} (allowed: ${allowed})` : `${what}: FAIL`,
        failed: !allowed,
      });
      continue;
    }
    const shown = values
      .slice(0, 3)
      .map((s) => (s.labels ? '{' + s.labels + '} ' : '') + Number(s.value).toPrecision(3))
      .join('; ');
    const more = values.length > 3 ? ` (+${values.length - 3} more)` : '';
    outcomes.push({ query, result: `${values.length} series: ${shown}${more}`, failed: false });
  }
  return outcomes;
}

/** Prints the panel → query → result table. */
function printTable(outcomes: Outcome[]): void {
  console.log('| dashboard | panel | ref | query | result |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const { query, result } of outcomes) {
    const expr = query.expr.replaceAll('|', '\\|').replaceAll(/\s+/g, ' ');
    const cell = result.replaceAll('|', '\\|');
    console.log(
      `| ${query.dashboardUid} | ${query.panelTitle} | ${query.refId} | \`${expr}\` | ${cell} |`,
    );
  }
}

/** The live environment: the server, its fake Bot API, node_exporter and Prometheus. */
interface Live {
  prometheus: Started;
  nodeExporter: Started;
  server: Server;
  fake: FakeBotApi;
  dataDir: string;
}

async function startLive(): Promise<Live> {
  const fake = await startFakeBotApi();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-grafana-check-'));
  const server = await startServer({
    DATA_DIR: dataDir,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    TELEGRAM_BOT_TOKEN: testBotToken,
    TELEGRAM_API_ROOT: fake.url,
    MINI_APP_URL: 'https://app.example.com/',
    OWNER_TELEGRAM_IDS: String(ownerTelegramId),
  });
  const nodeExporter = await startNodeExporter(Math.floor(Date.now() / 1000) - 3600);
  const prometheus = await startPrometheus(
    new URL(server.url).host,
    new URL(nodeExporter.url).host,
  );
  return { prometheus, nodeExporter, server, fake, dataDir };
}

async function stopLive(live: Partial<Live>): Promise<void> {
  await stop(live.prometheus);
  await stop(live.nodeExporter);
  if (live.server) await stopServer(live.server);
  await live.fake?.close();
  if (live.dataDir) rmSync(live.dataDir, { recursive: true, force: true });
}

/** Every problem of the dashboards under `deploy`, printing the table when it ran queries. */
async function check(
  deploy: string,
  prometheusUrl: string | undefined,
  print = true,
): Promise<string[]> {
  const { queries, problems } = readDashboards(
    path.join(deploy, 'grafana/dashboards'),
    path.join(deploy, 'grafana/provisioning/datasources'),
  );
  const valid: PanelQuery[] = [];
  for (const query of queries) {
    const error = promqlSyntaxError(expandGrafanaVariables(query.expr, rateInterval));
    if (error) problems.push(`${query.file}: panel "${query.panelTitle}" ${query.refId}: ${error}`);
    else valid.push(query);
  }
  if (print)
    console.log(`${queries.length} queries in the dashboards; ${valid.length} are valid PromQL`);
  if (!prometheusUrl) return problems;
  const outcomes = await runQueries(prometheusUrl, valid);
  if (print) printTable(outcomes);
  for (const o of outcomes.filter((x) => x.failed)) {
    problems.push(`${o.query.file}: panel "${o.query.panelTitle}" ${o.query.refId}: ${o.result}`);
  }
  return problems;
}

/** Checks the configuration files of the logs profile as far as this machine can. */
function checkLogsConfig(deploy: string): string[] {
  const problems: string[] = [];
  const loki = path.join(deploy, 'loki/loki.yml');
  try {
    const config = parseYaml(readFileSync(loki, 'utf8')) as Record<string, unknown> | null;
    if (!config?.schema_config) problems.push(`${loki}: no schema_config`);
  } catch (error) {
    problems.push(`${loki}: not YAML (${(error as Error).message})`);
  }
  console.log(
    `${loki}: parses as YAML. Not validated further: Loki is not packaged in Debian ` +
      '(`loki -verify-config` needs its binary).',
  );
  console.log(
    `${path.join(deploy, 'alloy/config.alloy')}: NOT validated: Grafana Alloy is not packaged in ` +
      'Debian (`alloy fmt` / `alloy run` need its binary).',
  );
  return problems;
}

/** Ways to break the dashboards (in the folder given); `live`: only a live run can catch it. */
const breakages: [string, (dashboards: string) => void, { live?: boolean }?][] = [
  [
    'invalid PromQL',
    (d) => edit(d, 'api.json', (s) => s.replace('sum by (route) (rate(', 'sum by (route) (rate((')),
  ],
  [
    'a misspelt metric (no data)',
    (d) =>
      edit(d, 'bot.json', (s) => s.replaceAll('ttb_bot_updates_total', 'ttb_bot_update_total')),
    { live: true },
  ],
  [
    'an unknown data source uid',
    (d) =>
      edit(d, 'overview.json', (s) => s.replace('"uid": "ttb-prometheus"', '"uid": "prometheus"')),
  ],
  [
    'a duplicate panel id',
    (d) => edit(d, 'notifications.json', (s) => s.replace('"id": 2,', '"id": 1,')),
  ],
  [
    'a query without expr',
    (d) => edit(d, 'api.json', (s) => s.replace('"expr":', '"expression":')),
  ],
  [
    'a file that is not JSON',
    (d) => writeFileSync(path.join(d, 'broken.json'), '{"uid": "broken",'),
  ],
  [
    'a uid used twice',
    (d) => edit(d, 'bot.json', (s) => s.replace('"uid": "ttb-bot"', '"uid": "ttb-api"')),
  ],
];

function edit(folder: string, file: string, change: (text: string) => string): void {
  const target = path.join(folder, file);
  const before = readFileSync(target, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`self-test: the breakage did not change ${file}`);
  writeFileSync(target, after);
}

/** Feeds each breakage to the check; the names of those it did not catch. */
async function selfTest(deploy: string, prometheusUrl: string | undefined): Promise<string[]> {
  const missed: string[] = [];
  for (const [name, breakIt, { live } = {}] of breakages) {
    if (live && !prometheusUrl) {
      console.log(`self-test, ${name}: skipped (--static runs no query)`);
      continue;
    }
    const copy = mkdtempSync(path.join(os.tmpdir(), 'ttb-grafana-broken-'));
    try {
      cpSync(path.join(deploy, 'grafana'), path.join(copy, 'grafana'), { recursive: true });
      breakIt(path.join(copy, 'grafana/dashboards'));
      const problems = await check(copy, prometheusUrl, false);
      const verdict = problems.length > 0 ? 'caught: ' + String(problems[0]) : 'NOT CAUGHT';
      console.log(`self-test, ${name}: ${verdict}`);
      if (problems.length === 0) missed.push(name);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }
  return missed;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const staticOnly = args.includes('--static');
  const deploy = args.find((a) => !a.startsWith('--')) ?? 'deploy';
  const live: Partial<Live> = {};
  try {
    let prometheusUrl: string | undefined;
    if (!staticOnly) {
      Object.assign(live, await startLive());
      const { prometheus, server, fake } = live as Live;
      // Two rounds with a scrape between them, so counters born in the first (a label value
      // seen for the first time) have risen by the second and their rates are above zero.
      await waitForScrapes(prometheus.url, Date.now(), 1);
      await generateTraffic(server.url, fake, 1);
      await waitForScrapes(prometheus.url, Date.now(), 1);
      await generateTraffic(server.url, fake, 2);
      // The gauges read from the database are kept 5 s between scrapes (`registerStateGauges`
      // in src/platform/metrics.ts): a scrape that came before the tickets existed must age out
      // before the two that count, or the backlog panels find no data.
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      await waitForScrapes(prometheus.url, Date.now(), 2);
      prometheusUrl = prometheus.url;
      console.log(
        `Prometheus ${prometheus.url} scraped the server (scrape interval ${scrapeIntervalSeconds}s) twice after the traffic`,
      );
    }
    const problems = [...checkLogsConfig(deploy), ...(await check(deploy, prometheusUrl))];
    if (problems.length > 0) {
      console.error(`\n${problems.length} problem(s):\n${problems.join('\n')}`);
      return 1;
    }
    console.log('dashboards: valid, and every query answered');
    if (args.includes('--self-test')) {
      const missed = await selfTest(deploy, prometheusUrl);
      if (missed.length > 0) {
        console.error(`self-test: the check missed ${missed.join(', ')}`);
        return 1;
      }
      console.log('self-test: every broken copy failed the check');
    }
    return 0;
  } finally {
    await stopLive(live);
  }
}

process.exitCode = await main();
