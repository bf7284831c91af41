// `npm run bench:load -- --mode postgres|embedded [--users 500] [--rate 1] [--seconds 30]
//   [--tickets 1500] [--runs 1] [--phases idle,paced,saturated]`: the specification's load, as an
//   outside client sends it.
// Starts the server as `npm start` runs it (production, every role in one process, request log at
// info) on a fresh PostgreSQL database + Redis or on an empty embedded data directory, with the
// fake Bot API behind it; signs in `users` customers, opens `tickets` tickets among them, and
// raises the rate limits. Each user has an address of its own, sent as X-Forwarded-For as the
// compose stack's Caddy would (TRUST_PROXY=1). Then, from a load generator in a process of
// its own (bench/load-generator.ts, autocannon):
//  1. each request alone on the idle server, beside the bare server's one-row request
//     (bench/bare-server.ts, PostgreSQL mode only) measured the same way in the same run; then
//     each request 300 times in a row, and the CPU time its server spent per request (/proc):
//     the figure to compare a change by, as it hardly moves with the machine's load;
//  2. the mixed load: `users` connections, each `rate` requests a second, a quarter each of
//     GET /tickets?limit=20, GET /tickets/{id}, GET /tickets/{id}/messages?limit=50 and
//     POST /tickets/{id}/messages; then the same on the bare server (PostgreSQL mode), whose
//     tail shows what the machine and the load generator add to every request's latency;
//  3. the same mix saturated (64 connections, no rate), ours and the bare server's.
// Prints the figures, then one summary line. Asserts nothing. `--profile DIR` writes the
// server's CPU profile there (node --cpu-prof), to open in Chrome DevTools or bench/profile-top.ts.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startFakeBotApi } from '../test/fake-bot-api.js';
import { testBotToken } from '../test/init-data.js';
import type { IdleResult, LoadJob, LoadResult, LoadUser, MixResult } from './load-generator.js';
import { cpuMs } from './cpu-time.js';
import { call, signInAs, startServer, stopServer } from './server.js';

const { values: options } = parseArgs({
  options: {
    mode: { type: 'string', default: 'postgres' },
    users: { type: 'string', default: '500' },
    rate: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '30' },
    tickets: { type: 'string', default: '1500' },
    runs: { type: 'string', default: '1' },
    /**
     * Which of the three measurements to run, comma-separated: `idle` (one request at a time,
     * with the server's CPU per request), `paced` (the users' mix) and `saturated`.
     */
    phases: { type: 'string', default: 'idle,paced,saturated' },
    /** Writes the server's CPU profile (node --cpu-prof) into this directory. */
    profile: { type: 'string' },
    'database-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    'redis-url': {
      type: 'string',
      default: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    },
  },
});
const mode = options.mode;
if (mode !== 'postgres' && mode !== 'embedded') throw new Error('--mode postgres|embedded');
const users = Number(options.users);
const rate = Number(options.rate);
const seconds = Number(options.seconds);
const ticketCount = Number(options.tickets);
const runs = Number(options.runs);
const phases = new Set(options.phases.split(','));
for (const phase of phases) {
  if (!['idle', 'paced', 'saturated'].includes(phase)) {
    throw new Error(`--phases: ${phase}? (idle, paced, saturated)`);
  }
}
const root = path.resolve(import.meta.dirname, '..');
const jwtSecret = 'bench-load-secret-of-at-least-32-characters';
const ownerTelegramId = 700_000_001;
const customerTelegramBase = 710_000_000;

/** Runs `job` in a fresh load-generator process and returns its figures. */
async function generate<T extends LoadResult>(job: LoadJob): Promise<T> {
  const child = fork(path.join(import.meta.dirname, 'load-generator.ts'), [], {
    cwd: root,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<T>((resolve, reject) => {
    child.on('message', (message: LoadResult | { type: 'ready' }) => {
      if (message.type === 'ready') child.send(job);
      else resolve(message as T);
    });
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the load generator exited with ${code}`));
    });
  });
}

/** Runs `work` on `items`, `width` at a time. */
async function inParallel<T, R>(
  items: T[],
  width: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next;
        next += 1;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

/** Starts bench/bare-server.ts on `databaseUrl`. */
async function startBare(databaseUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-server.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl,
      JWT_SECRET: jwtSecret,
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /ready at (http:\/\/[\d.:]+)/.exec(output);
      if (match?.[1]) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`the bare server exited with ${code}: ${output}`));
    });
  });
  return { url, child };
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-');

/** Runs `job` and adds the CPU ms per request `pid` spent on it. */
async function mixWithCpu(
  job: Extract<LoadJob, { type: 'mix' }>,
  pid: number | undefined,
): Promise<MixResult & { cpuPerRequest: number }> {
  const before = cpuMs(pid);
  const result = await generate<MixResult>(job);
  return { ...result, cpuPerRequest: (cpuMs(pid) - before) / result.requests };
}

function printMix(title: string, result: MixResult & { cpuPerRequest: number }): void {
  const kinds = Object.entries(result.byKind)
    .map(([kind, figures]) => `${kind} p50 ${ms(figures.p50)}/p95 ${ms(figures.p95)}`)
    .join(', ');
  console.log(
    `  ${title.padEnd(34)} ${result.perSecond.toFixed(0).padStart(5)} req/s  p50 ${ms(result.p50)}  p95 ${ms(result.p95)}  p99 ${ms(result.p99)}  max ${ms(result.max)} ms  ` +
      `errors ${result.errors}, time-outs ${result.timeouts}, non-2xx ${result.non2xx}; ` +
      `server CPU ${result.cpuPerRequest.toFixed(2)} ms/request`,
  );
  console.log(`  ${''.padEnd(34)} ${kinds}`);
}

/** Signs in the owner and `users` customers and opens `ticketCount` tickets among them. */
async function setUp(url: string): Promise<{ loadUsers: LoadUser[]; categoryId: string }> {
  const setupStarted = performance.now();
  const owner = await signInAs(url, ownerTelegramId, 'Owner');
  const category = await call<{ id: string }>(`${url}/api/v1/categories`, {
    method: 'POST',
    token: owner,
    body: JSON.stringify({ name: 'Orders' }),
  });
  const people = await inParallel(
    Array.from({ length: users }, (_, index) => index),
    8,
    async (index) => ({
      token: await signInAs(url, customerTelegramBase + index, `Customer ${index}`),
      index,
    }),
  );
  const loadUsers: LoadUser[] = people.map(({ token, index }) => ({
    token,
    ticketIds: [],
    address: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
  }));
  await inParallel(
    Array.from({ length: ticketCount }, (_, index) => index),
    8,
    async (index) => {
      const user = loadUsers[index % users] as LoadUser;
      const ticket = await call<{ id: string }>(`${url}/api/v1/tickets`, {
        method: 'POST',
        token: user.token,
        body: JSON.stringify({
          category_id: category.id,
          title: `Order ${index} has not arrived`,
          description: 'Ordered two weeks ago, still nothing.',
        }),
      });
      user.ticketIds.push(ticket.id);
    },
  );
  console.log(
    `  set-up: ${users} sign-ins and ${ticketCount} tickets in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`,
  );
  return { loadUsers, categoryId: category.id };
}

/** The idle requests, one at a time: latency beside the bare one-row request, and CPU each. */
async function measureIdle(
  idleRequests: Extract<LoadJob, { type: 'idle' }>['requests'],
): Promise<IdleResult['medians']> {
  const idle = await generate<IdleResult>({
    type: 'idle',
    requests: idleRequests,
    count: 100,
    cpuCount: 300,
  });
  const baseline = idle.medians['bare one row']?.p50;
  console.log(
    "  one request at a time, idle server (median / p90 ms, × bare one-row median; its server's CPU ms per request):",
  );
  for (const [name, figures] of Object.entries(idle.medians)) {
    const ratio = baseline ? `  ${(figures.p50 / baseline).toFixed(2)}×` : '';
    console.log(
      `    ${name.padEnd(30)} ${ms(figures.p50).padStart(6)} / ${ms(figures.p90).padStart(6)}${ratio}  CPU ${figures.cpu.toFixed(2)}`,
    );
  }
  return idle.medians;
}

type Target = { url: string; pid: number | undefined };

/** The idle phase's summary: latencies of three requests and every request's CPU. */
async function idlePhase(
  idleRequests: Extract<LoadJob, { type: 'idle' }>['requests'],
): Promise<string> {
  const idle = await measureIdle(idleRequests);
  const baseline = idle['bare one row']?.p50;
  const latency = (name: string) => ms(idle[name]?.p50 ?? Number.NaN);
  const cpu = (name: string) => (idle[name]?.cpu ?? Number.NaN).toFixed(2);
  return (
    `idle me ${latency('GET /auth/me')}` +
    (baseline ? ` (bare ${ms(baseline)})` : '') +
    ` list ${latency('GET /tickets?limit=20')} post ${latency('POST /tickets/{id}/messages')} ms` +
    `, CPU ms/request me ${cpu('GET /auth/me')} list ${cpu('GET /tickets?limit=20')} ticket ${cpu('GET /tickets/{id}')}` +
    ` messages ${cpu('GET /tickets/{id}/messages')} post ${cpu('POST /tickets/{id}/messages')} new ${cpu('POST /tickets')}` +
    (baseline ? ` (bare ${cpu('bare one row')})` : '')
  );
}

/** The paced mix on our server, then on the bare one; its summary. */
async function pacedPhase(server: Target, loadUsers: LoadUser[], bare?: Target): Promise<string> {
  const job = { type: 'mix', users: loadUsers, connections: users, rate, seconds } as const;
  const loaded = await mixWithCpu({ ...job, url: server.url }, server.pid);
  printMix(`mix, ${users} users × ${rate}/s`, loaded);
  // The same paced load on the bare server: what the machine and the load generator alone add
  // to the tail (their pauses count in every request's latency, ours and the bare server's).
  const bareLoaded = bare ? await mixWithCpu({ ...job, url: bare.url }, bare.pid) : undefined;
  if (bareLoaded) printMix(`bare server, ${users} users × ${rate}/s`, bareLoaded);
  return (
    `${users}×${rate}/s → ${loaded.perSecond.toFixed(0)} req/s p50 ${ms(loaded.p50)} p95 ${ms(loaded.p95)} p99 ${ms(loaded.p99)} ms` +
    (bareLoaded ? ` (bare p95 ${ms(bareLoaded.p95)} p99 ${ms(bareLoaded.p99)})` : '') +
    `, ${loaded.errors + loaded.timeouts + loaded.non2xx} errors`
  );
}

/** The mix saturated on our server, then on the bare one; its summary. */
async function saturatedPhase(
  server: Target,
  loadUsers: LoadUser[],
  bare?: Target,
): Promise<string> {
  const job = { type: 'mix', users: loadUsers, connections: 64, rate: 0, seconds: 10 } as const;
  const saturated = await mixWithCpu({ ...job, url: server.url }, server.pid);
  printMix('mix saturated, 64 connections', saturated);
  const cpu = `CPU ${saturated.cpuPerRequest.toFixed(2)} ms/request`;
  if (!bare) return `saturated ${saturated.perSecond.toFixed(0)} req/s (${cpu})`;
  const bareSaturated = await mixWithCpu({ ...job, url: bare.url }, bare.pid);
  printMix('bare server, same mix saturated', bareSaturated);
  return (
    `saturated ${saturated.perSecond.toFixed(0)} req/s, ` +
    `${(saturated.perSecond / bareSaturated.perSecond).toFixed(2)}× bare` +
    ` (${cpu}, bare ${bareSaturated.cpuPerRequest.toFixed(2)})`
  );
}

/** One run: the idle requests, the paced mix, the saturated mix (ours and, if given, bare). */
async function measure(
  run: number,
  server: Target,
  loadUsers: LoadUser[],
  idleRequests: Extract<LoadJob, { type: 'idle' }>['requests'],
  bare: Target | undefined,
): Promise<string> {
  const load = os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
  console.log(`\n run ${run} of ${runs} (load average ${load})`);
  const idle = phases.has('idle') ? await idlePhase(idleRequests) : undefined;
  const paced = phases.has('paced') ? await pacedPhase(server, loadUsers, bare) : undefined;
  const saturated = phases.has('saturated')
    ? await saturatedPhase(server, loadUsers, bare)
    : undefined;
  const parts = [paced, saturated, idle].filter((part) => part !== undefined);
  return `${mode} run ${run} (load ${load}): ${parts.join('; ')}`;
}

async function main(): Promise<void> {
  console.log(
    `bench:load --mode ${mode}: Node ${process.version}, ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}; ${users} users × ${rate} req/s for ${seconds} s, ${ticketCount} tickets`,
  );
  const fake = await startFakeBotApi();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-load-'));
  const databaseName = `ttb_load_${process.pid}`;
  const admin =
    mode === 'postgres' ? new pg.Client({ connectionString: options['database-url'] }) : undefined;
  let databaseUrl: string | undefined;
  if (admin) {
    await admin.connect();
    await admin.query(`create database ${databaseName}`);
    const url = new URL(options['database-url']);
    url.pathname = `/${databaseName}`;
    databaseUrl = url.toString();
  }
  const server = await startServer(
    {
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      JWT_SECRET: jwtSecret,
      TELEGRAM_BOT_TOKEN: testBotToken,
      TELEGRAM_API_ROOT: fake.url,
      OWNER_TELEGRAM_IDS: String(ownerTelegramId),
      RATE_LIMIT_MAX: '1000000',
      AUTH_RATE_LIMIT_MAX: '1000000',
      // As behind the compose stack's Caddy: each user's own address arrives as X-Forwarded-For.
      TRUST_PROXY: '1',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl, REDIS_URL: options['redis-url'] } : {}),
    },
    options.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(options.profile)}`] : [],
  );
  let bare: { url: string; child: ChildProcess } | undefined;
  const summary: string[] = [];
  try {
    const url = server.url;
    const { loadUsers, categoryId } = await setUp(url);
    if (databaseUrl) bare = await startBare(databaseUrl);

    const first = loadUsers[0] as LoadUser;
    const ticketId = first.ticketIds[0] as string;
    const ours: Extract<LoadJob, { type: 'idle' }>['requests'] = [
      { name: 'GET /auth/me', url: `${url}/api/v1/auth/me`, token: first.token },
      { name: 'GET /categories', url: `${url}/api/v1/categories`, token: first.token },
      { name: 'GET /tickets?limit=20', url: `${url}/api/v1/tickets?limit=20`, token: first.token },
      { name: 'GET /tickets/{id}', url: `${url}/api/v1/tickets/${ticketId}`, token: first.token },
      {
        name: 'GET /tickets/{id}/messages',
        url: `${url}/api/v1/tickets/${ticketId}/messages?limit=50`,
        token: first.token,
      },
      {
        name: 'POST /tickets/{id}/messages',
        url: `${url}/api/v1/tickets/${ticketId}/messages`,
        method: 'POST',
        token: first.token,
        body: JSON.stringify({ content: 'One more question.' }),
      },
      {
        name: 'POST /tickets',
        url: `${url}/api/v1/tickets`,
        method: 'POST',
        token: (loadUsers[1] ?? first).token,
        body: JSON.stringify({
          category_id: categoryId,
          title: 'Another order',
          description: 'Still waiting.',
        }),
      },
    ];
    const idleRequests = [
      ...(bare
        ? [{ name: 'bare one row', url: `${bare.url}/one-row`, cpuOf: bare.child.pid }]
        : []),
      ...ours.map((request) => ({ ...request, cpuOf: server.child.pid })),
    ];
    for (let run = 1; run <= runs; run += 1) {
      summary.push(
        await measure(
          run,
          { url, pid: server.child.pid },
          loadUsers,
          idleRequests,
          bare && { url: bare.url, pid: bare.child.pid },
        ),
      );
    }
  } finally {
    bare?.child.kill('SIGTERM');
    await stopServer(server);
    await fake.close();
    if (admin) {
      await admin.query(`drop database if exists ${databaseName} with (force)`);
      await admin.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log('');
  for (const line of summary) console.log(line);
}

await main();
