/**
 * Start-up time: spawns the server as an operator starts it and times it from spawn until
 * `GET /health/ready` answers 200: on a fresh DATA_DIR with no embedded cluster template (the
 * first start on a machine: initdb, migrate, seed the demo data), on a fresh DATA_DIR (the
 * template kept by an earlier start is unpacked), and again on that DATA_DIR (second start).
 * Several runs each; prints min, median and max, with the machine's load average (a busy machine
 * skews every figure).
 *
 * `npx tsx bench/startup.ts [--runs 3] [--only npm-start,tsx,dist]`; part of `npm run bench`.
 * Commands: `npm start` (with its `prestart` staleness check of the Mini App), `node --import tsx
 * src/main.ts` (what `npm start` runs after it) and `node dist/src/main.js` (`npm run start:prod`,
 * measured when `npm run build` has been run). With BENCH_DATABASE_URL each run gets a fresh
 * PostgreSQL database instead of the embedded one.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { buildWeb, isStale } from '../web/build.js';
import { percentile, waitUntilReady } from './server.js';

const root = path.resolve(import.meta.dirname, '..');

/** A way to start the server. */
interface Command {
  name: string;
  label: string;
  argv: string[];
}

const commands: Command[] = [
  { name: 'npm-start', label: 'npm start', argv: ['npm', 'start'] },
  {
    name: 'tsx',
    label: 'node --import tsx src/main.ts',
    argv: [process.execPath, '--import', 'tsx', 'src/main.ts'],
  },
  { name: 'dist', label: 'node dist/src/main.js', argv: [process.execPath, 'dist/src/main.js'] },
];

/** One start: spawn to 200 from /health/ready, and what the server said of itself. */
interface Start {
  readyMs: number;
  /** The server's own figure ("is ready at … in N ms"): from its logger to listening. */
  ownMs: number | undefined;
  /**
   * CPU time the command's processes had used when it was ready (Linux). Less at the mercy of
   * other work on the machine than the wall-clock figures.
   */
  cpuMs: number | undefined;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100;

/**
 * CPU time of every process in process group `group`, with that of the children they have
 * waited for (so `npm start`'s finished `prestart` counts), from /proc; undefined elsewhere.
 */
function groupCpuMs(group: number): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // After the command name in parentheses: state, ppid, pgrp, …, utime (14th field) onwards.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== group) continue;
    ticks += [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
  }
  return (ticks * 1000) / ticksPerSecond;
}

/**
 * Starts `command` with only PATH, HOME and `env`, times it to readiness and stops it. The
 * command runs in a process group of its own, so `npm start`'s child stops with it.
 */
async function timeStart(command: Command, env: Record<string, string>): Promise<Start> {
  const started = performance.now();
  const child = spawn(command.argv[0]!, command.argv.slice(1), {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-32_000)));
  child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-32_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  };
  try {
    await waitUntilReady(child, () => output, command.label, 10);
    const readyMs = performance.now() - started;
    const cpuMs = groupCpuMs(child.pid!);
    const own = /is ready at \S+ in (\d+) ms/.exec(output)?.[1];
    return { readyMs, ownMs: own === undefined ? undefined : Number(own), cpuMs };
  } finally {
    await stop();
  }
}

/** A fresh database for one run: a data directory, and with `databaseUrl` a PostgreSQL database. */
async function freshTarget(
  databaseUrl: string | undefined,
): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-startup-'));
  if (!databaseUrl) {
    return {
      env: { DATA_DIR: dataDir },
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `ttb_startup_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(sql);
    await client.end();
  };
  await admin(`create database ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    async drop() {
      await admin(`drop database if exists ${name} with (force)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** "min / median / max" of `values`, in ms. */
function spread(values: number[]): string {
  const sorted = Float64Array.from(values).sort();
  const ms = (value: number) => `${Math.round(value)}`.padStart(6);
  return `${ms(sorted[0]!)} / ${ms(percentile(sorted, 0.5))} / ${ms(sorted.at(-1)!)} ms`;
}

/** One line of figures: wall clock to ready, the server's own figure and CPU time, spread. */
function row(starts: Start[]): string {
  const figures = (pick: (start: Start) => number | undefined) =>
    starts.flatMap((start) => pick(start) ?? []);
  const own = figures((start) => start.ownMs);
  const cpu = figures((start) => start.cpuMs);
  return (
    spread(figures((start) => start.readyMs)) +
    (own.length > 0 ? `   in-process ${spread(own)}` : '') +
    (cpu.length > 0 ? `   CPU ${spread(cpu)}` : '')
  );
}

/** What {@link benchStartup} measures. */
export interface StartupOptions {
  runs?: number;
  /** Names of the commands to time (default: all that can run here). */
  only?: string[];
  /** A PostgreSQL server URL: each run then gets a fresh database of its own there. */
  databaseUrl?: string;
}

/** A first start with a template folder of its own: the cluster is made from scratch (initdb). */
async function timeDayOne(command: Command): Promise<Start> {
  const templates = mkdtempSync(path.join(os.tmpdir(), 'ttb-startup-templates-'));
  const target = await freshTarget(undefined);
  try {
    return await timeStart(command, { ...target.env, PGLITE_TEMPLATE_DIR: templates });
  } finally {
    await target.drop();
    rmSync(templates, { recursive: true, force: true });
  }
}

/** Runs `command` `runs` times each way; the first start on a machine only when embedded. */
async function measure(
  command: Command,
  runs: number,
  databaseUrl: string | undefined,
): Promise<[label: string, starts: Start[]][]> {
  const dayOne: Start[] = [];
  const first: Start[] = [];
  const second: Start[] = [];
  for (let run = 0; run < runs; run += 1) {
    if (!databaseUrl) dayOne.push(await timeDayOne(command));
    const target = await freshTarget(databaseUrl);
    try {
      first.push(await timeStart(command, target.env));
      second.push(await timeStart(command, target.env));
    } finally {
      await target.drop();
    }
  }
  return [
    ['first start on this machine', dayOne],
    ['first start (empty DATA_DIR)', first],
    ['second start', second],
  ];
}

/** Times the starts of each command and prints the spread. */
export async function benchStartup(options: StartupOptions = {}): Promise<void> {
  const runs = options.runs ?? 3;
  // The Mini App is built once beforehand: a fresh checkout's first `npm start` builds it (Vite,
  // tens of seconds, once), which is not what is measured here.
  if (isStale()) await buildWeb();
  const chosen = commands.filter((command) => !options.only || options.only.includes(command.name));
  const engine = options.databaseUrl ? 'PostgreSQL' : 'embedded PGlite';
  console.log(`start-up to /health/ready, ${engine}, ${runs} runs each: min / median / max`);
  for (const command of chosen) {
    if (command.name === 'dist' && !existsSync(path.join(root, 'dist', 'src', 'main.js'))) {
      console.log(`  ${command.label}: skipped, no dist/ (npm run build)`);
      continue;
    }
    for (const [label, starts] of await measure(command, runs, options.databaseUrl)) {
      if (starts.length === 0) continue;
      const title = `${command.label}, ${label}`;
      console.log(`  ${title.padEnd(56)} ${row(starts)}`);
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '3' }, only: { type: 'string' } },
  });
  const load = os.loadavg().map((value) => value.toFixed(2));
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs, load average ${load.join(', ')}`);
  await benchStartup({
    runs: Number(values.runs),
    ...(values.only ? { only: values.only.split(',') } : {}),
    ...(process.env.BENCH_DATABASE_URL ? { databaseUrl: process.env.BENCH_DATABASE_URL } : {}),
  });
  const after = os.loadavg().map((value) => value.toFixed(2));
  console.log(`load average after: ${after.join(', ')}`);
}
