// Prometheus for .ci/deploy-grafana-check (Debian's prometheus and prometheus-node-exporter
// packages, at their paths): promtool for the syntax of each panel's query, and a
// real Prometheus (Debian's binary, temporary storage) scraping the app and node_exporter to
// run them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';

/** Seconds between scrapes of the check's Prometheus. */
export const scrapeIntervalSeconds = 1;

/** The syntax error promtool reports for `expr`, or undefined when it is valid PromQL. */
export function promqlSyntaxError(expr: string): string | undefined {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'ttb-promql-'));
  try {
    const file = path.join(folder, 'rules.yml');
    writeFileSync(
      file,
      toYaml({ groups: [{ name: 'panel', rules: [{ record: 'panel:query', expr }] }] }),
    );
    const run = spawnSync('/usr/bin/promtool', ['check', 'rules', '--lint=none', file], {
      encoding: 'utf8',
    });
    if (run.error) throw run.error;
    if (run.status === 0) return undefined;
    const text = `${run.stdout}\n${run.stderr}`;
    const line = text.split('\n').find((l) => /parse error|unexpected|error/i.test(l));
    return (line ?? text).trim();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** A free TCP port on the loopback address. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A process this check started, and the folder it owns. */
export interface Started {
  url: string;
  child: ChildProcess;
  folder: string;
}

/** Waits until `url` answers 200, or throws after `seconds` (or when `child` exits). */
async function waitForHttp(url: string, child: ChildProcess, label: string, seconds: number) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode}`);
    const response = await fetch(url).catch(() => undefined);
    if (response?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${label} did not answer ${url} within ${seconds} s`);
}

/**
 * Starts Debian's node_exporter on a free port with a textfile collector folder holding the
 * backup job's success time (what deploy/backup.sh's job writes in production).
 */
export async function startNodeExporter(backupSuccess: number): Promise<Started> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'ttb-node-exporter-'));
  writeFileSync(
    path.join(folder, 'ttb_backup.prom'),
    `ttb_backup_last_success_timestamp_seconds ${backupSuccess}\n`,
  );
  const port = await freePort();
  const child = spawn(
    '/usr/bin/prometheus-node-exporter',
    [`--web.listen-address=127.0.0.1:${port}`, `--collector.textfile.directory=${folder}`],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/metrics`, child, 'node_exporter', 20);
  return { url, child, folder };
}

/**
 * Starts Debian's Prometheus on a free port with temporary storage, scraping `appTarget`
 * (host:port) as both `ttb-api` and `ttb-worker` (the stack's two jobs; here one process has
 * every role) and `nodeTarget` as `node`, every {@link scrapeIntervalSeconds}.
 */
export async function startPrometheus(appTarget: string, nodeTarget: string): Promise<Started> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'ttb-prometheus-'));
  const interval = `${scrapeIntervalSeconds}s`;
  const job = (name: string, target: string) => ({
    job_name: name,
    static_configs: [{ targets: [target] }],
  });
  writeFileSync(
    path.join(folder, 'prometheus.yml'),
    toYaml({
      global: { scrape_interval: interval, evaluation_interval: interval },
      scrape_configs: [
        job('ttb-api', appTarget),
        job('ttb-worker', appTarget),
        job('node', nodeTarget),
      ],
    }),
  );
  const port = await freePort();
  const child = spawn(
    '/usr/bin/prometheus',
    [
      `--config.file=${path.join(folder, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(folder, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/-/ready`, child, 'prometheus', 30);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${log}`, { cause: error });
  }
  return { url, child, folder };
}

/** Stops a process started here and removes its folder. */
export async function stop(started: Started | undefined): Promise<void> {
  if (!started) return;
  if (started.child.exitCode === null && started.child.signalCode === null) {
    const exited = new Promise((resolve) => started.child.once('exit', resolve));
    started.child.kill('SIGTERM');
    await exited;
  }
  rmSync(started.folder, { recursive: true, force: true });
}

/** When every target was last scraped, in ms since the epoch (0 for a target not yet scraped). */
export async function lastScrapes(prometheusUrl: string): Promise<number[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/targets?state=active`);
  const body = (await response.json()) as {
    data: { activeTargets: { lastScrape: string; health: string }[] };
  };
  return body.data.activeTargets.map((t) => (t.health === 'up' ? Date.parse(t.lastScrape) : 0));
}

/** Waits until every target has been scraped at least `count` times after `since` (ms). */
export async function waitForScrapes(prometheusUrl: string, since: number, count: number) {
  const deadline = Date.now() + 60_000;
  let after = since;
  for (let seen = 0; seen < count;) {
    if (Date.now() > deadline) throw new Error('Prometheus did not scrape every target in 60 s');
    const scrapes = await lastScrapes(prometheusUrl);
    if (scrapes.length > 0 && scrapes.every((t) => t > after)) {
      seen += 1;
      after = Math.max(...scrapes);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** What one instant query gave: an error, or its series with their values. */
export type QueryResult = { error: string } | { series: { labels: string; value: string }[] };

/** Runs `expr` as an instant query through Prometheus's HTTP API. */
export async function instantQuery(prometheusUrl: string, expr: string): Promise<QueryResult> {
  const response = await fetch(`${prometheusUrl}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: expr }),
  });
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: unknown };
  };
  if (body.status !== 'success' || !body.data) return { error: body.error ?? body.status };
  const { resultType, result } = body.data;
  if (resultType === 'scalar')
    return { series: [{ labels: '', value: (result as string[])[1] ?? '' }] };
  const vector = result as { metric: Record<string, string>; value: [number, string] }[];
  return {
    series: vector.map((s) => ({
      labels: Object.entries(s.metric)
        .filter(([k]) => k !== '__name__')
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
      value: s.value[1],
    })),
  };
}
