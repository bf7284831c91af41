// `npm run bench`: start-up time (bench/startup.ts: npm start, tsx and node dist, several runs of
// first and second starts) and HTTP latency/throughput of a real server process.
// Runs against the embedded database; set BENCH_DATABASE_URL and BENCH_REDIS_URL to run the
// same against PostgreSQL and Redis too. Each mode then loads 100k tickets straight into the
// database and measures the ticket list, search and posting messages on that volume. Then the
// notification latency (bench/notify-latency.ts), the bot's answers and broadcast pace
// (bench/bot.ts) and the WebSocket load (bench/ws-load.ts), each embedded and then on PostgreSQL +
// Redis when set; last, file uploads (bench/files.ts). Prints its figures; asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { openDatabase, type DatabaseTarget } from '../src/db/client.js';
import { filesBench } from './files.js';
import { benchBot } from './bot.js';
import { benchNotifyLatency } from './notify-latency.js';
import { seedTickets } from './seed-tickets.js';
import { percentile, startServer, stopServer } from './server.js';
import { benchStartup } from './startup.js';
import { wsLoad } from './ws-load.js';

const connections = 20;
const seconds = 8;
const ticketCount = 100_000;

/**
 * Runs autocannon and prints requests per second and latency percentiles. autocannon's own
 * summary has no p95, so the latencies of every response are collected here.
 */
async function load(title: string, options: autocannon.Options): Promise<void> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ connections, duration: seconds, ...options }, (error, done) => {
      if (!error) resolve(done);
      else reject(error instanceof Error ? error : new Error(String(error)));
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
  const sorted = Float64Array.from(latencies).sort();
  const ms = (fraction: number) => percentile(sorted, fraction).toFixed(1);
  const { requests, non2xx, errors } = result;
  console.log(
    `  ${title.padEnd(50)} ${Math.round(requests.average).toString().padStart(6)} req/s` +
      `   p50 ${ms(0.5)} ms   p95 ${ms(0.95)} ms   p99 ${ms(0.99)} ms` +
      (non2xx || errors ? `   (non-2xx ${non2xx}, errors ${errors})` : ''),
  );
}

/** Signs in as the seeded demo user of `role` (demo mode, loopback) and returns the token. */
async function signIn(url: string, role: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/auth/demo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role }),
  });
  if (!response.ok) throw new Error(`demo sign-in as ${role} answered ${response.status}`);
  const { access_token: token } = (await response.json()) as { access_token: string };
  return token;
}

/** A ticket from the agent's first list page that still takes messages (not closed). */
async function pickTicket(url: string, token: string): Promise<string | undefined> {
  const response = await fetch(`${url}/api/v1/tickets`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) {
    console.log(`  (GET /api/v1/tickets answered ${response.status}; no ticket to post to)`);
    return undefined;
  }
  const { items } = (await response.json()) as { items: { id: string; status: string }[] };
  const ticket = items.find((item) => item.status !== 'closed');
  if (!ticket) console.log('  (no open ticket on the first list page; no ticket to post to)');
  return ticket?.id;
}

/** Measures the ticket endpoints of a server whose database holds `ticketCount` tickets. */
async function loadTickets(url: string): Promise<void> {
  const agent = { authorization: `Bearer ${await signIn(url, 'agent')}` };
  const user = { authorization: `Bearer ${await signIn(url, 'user')}` };
  await load('GET /api/v1/tickets (agent)', { url: `${url}/api/v1/tickets`, headers: agent });
  await load('GET /api/v1/tickets?status=open&sort=-updated_at', {
    url: `${url}/api/v1/tickets?status=open&sort=-updated_at`,
    headers: agent,
  });
  await load('GET /api/v1/tickets?q=printer (agent)', {
    url: `${url}/api/v1/tickets?q=printer`,
    headers: agent,
  });
  await load('GET /api/v1/tickets (user, own tickets)', {
    url: `${url}/api/v1/tickets`,
    headers: user,
  });
  const body = JSON.stringify({
    content: 'Thanks, we are looking into it. / Спасибо, разбираемся.',
  });
  const ticketId = await pickTicket(url, agent.authorization.slice('Bearer '.length));
  if (ticketId) {
    // The worst case: every connection writes to one ticket, so they queue on its row lock.
    await load('POST /tickets/{id}/messages, one ticket', {
      url: `${url}/api/v1/tickets/${ticketId}/messages`,
      method: 'POST',
      headers: { ...agent, 'content-type': 'application/json' },
      body,
    });
  }
  const spread = await openTicketIds(url, agent.authorization);
  if (spread.length > 0) {
    // The usual case: staff answering many conversations at once.
    let next = 0;
    await load(`POST /tickets/{id}/messages, ${spread.length} tickets`, {
      url,
      method: 'POST',
      headers: { ...agent, 'content-type': 'application/json' },
      body,
      requests: [
        {
          setupRequest: (request) => {
            next += 1;
            return { ...request, path: `/api/v1/tickets/${spread[next % spread.length]}/messages` };
          },
        },
      ],
    });
  }
}

/** Up to 50 tickets that still take messages. */
async function openTicketIds(url: string, authorization: string): Promise<string[]> {
  const response = await fetch(`${url}/api/v1/tickets?status=open,in_progress,waiting&limit=50`, {
    headers: { authorization },
  });
  if (!response.ok) return [];
  const { items } = (await response.json()) as { items: { id: string }[] };
  return items.map((item) => item.id);
}

async function run(
  label: string,
  env: Record<string, string>,
  target: (dataDir: string) => DatabaseTarget,
): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-bench-'));
  try {
    console.log(`\n${label}`);
    const cold = await startServer({ ...env, DATA_DIR: dataDir });
    console.log(
      `  start-up, empty data dir (migrate + seed) ${Math.round(cold.readyMs)} ms to /health/ready`,
    );
    await stopServer(cold);
    const server = await startServer({ ...env, DATA_DIR: dataDir });
    console.log(
      `  start-up, existing data                  ${Math.round(server.readyMs)} ms to /health/ready`,
    );
    try {
      const token = await signIn(server.url, 'agent');
      await load('GET /health/live', { url: `${server.url}/health/live` });
      await load('GET /api/v1/auth/me (signed in)', {
        url: `${server.url}/api/v1/auth/me`,
        headers: { authorization: `Bearer ${token}` },
      });
      await load('GET /health/ready (db + queue)', { url: `${server.url}/health/ready` });
    } finally {
      await stopServer(server);
    }

    // The same database again, with 100k tickets written straight into it.
    console.log(`  ${ticketCount / 1000}k tickets`);
    const database = await openDatabase(target(dataDir));
    const seeding = performance.now();
    try {
      await seedTickets(database, ticketCount);
    } finally {
      await database.close();
    }
    const seeded = `seeding ${ticketCount} tickets (SQL + analyze)`;
    console.log(`  ${seeded.padEnd(41)} ${Math.round(performance.now() - seeding)} ms`);
    const loaded = await startServer({ ...env, DATA_DIR: dataDir });
    const restarted = `start-up, ${ticketCount / 1000}k tickets`;
    console.log(`  ${restarted.padEnd(41)} ${Math.round(loaded.readyMs)} ms to /health/ready`);
    try {
      await loadTickets(loaded.url);
    } finally {
      await stopServer(loaded);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// The API's own rate limit would turn a load test into a 429 test; lift it for the bench.
const unlimited = { RATE_LIMIT_MAX: '1000000', AUTH_RATE_LIMIT_MAX: '1000000' };
console.log(
  `Node ${process.version}, ${os.cpus().length} CPUs; autocannon, ${connections} connections, ${seconds} s each`,
);
const loadAverage = os.loadavg().map((value) => value.toFixed(2));
console.log(`load average ${loadAverage.join(', ')}\n`);
await benchStartup();
if (process.env.BENCH_DATABASE_URL) {
  await benchStartup({ only: ['tsx'], databaseUrl: process.env.BENCH_DATABASE_URL });
}
// The server keeps its embedded database in DATA_DIR; openDatabase finds it there the same way.
await run('embedded (PGlite, in-process adapters)', unlimited, (dataDir) => ({ dataDir }));
console.log('\nnotification latency');
await benchNotifyLatency('embedded', {});
console.log('\nthe bot');
await benchBot('embedded', {});
const databaseUrl = process.env.BENCH_DATABASE_URL;
const redisUrl = process.env.BENCH_REDIS_URL;
if (databaseUrl && redisUrl) {
  // A database of its own, so the demo data is seeded and nothing else is touched.
  const name = `ttb_bench_${Date.now()}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(sql);
    await client.end();
  };
  await admin(`create database ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  try {
    await run(
      'PostgreSQL + Redis',
      { ...unlimited, DATABASE_URL: url.toString(), REDIS_URL: redisUrl },
      () => ({ url: url.toString() }),
    );
  } finally {
    await admin(`drop database if exists ${name} with (force)`);
  }
  const notifyDb = `${name}_notify`;
  await admin(`create database ${notifyDb}`);
  url.pathname = `/${notifyDb}`;
  try {
    await benchNotifyLatency('PostgreSQL + Redis', {
      DATABASE_URL: url.toString(),
      REDIS_URL: redisUrl,
    });
  } finally {
    await admin(`drop database if exists ${notifyDb} with (force)`);
  }
  const botDb = `${name}_bot`;
  await admin(`create database ${botDb}`);
  url.pathname = `/${botDb}`;
  try {
    await benchBot('PostgreSQL + Redis', { DATABASE_URL: url.toString(), REDIS_URL: redisUrl });
  } finally {
    await admin(`drop database if exists ${botDb} with (force)`);
  }
}

/** Runs one statement on the server of `connectionString` (creating, dropping databases). */
async function adminSql(connectionString: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  await client.query(sql);
  await client.end();
}

// 5,000 sockets on one process (embedded, then PostgreSQL + Redis): a message's fan-out from
// the POST to every subscriber.
await wsLoad();
if (databaseUrl && redisUrl) {
  const wsDb = `ttb_bench_ws_${Date.now()}`;
  const admin = (sql: string) => adminSql(databaseUrl, sql);
  await admin(`create database ${wsDb}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${wsDb}`;
  try {
    await wsLoad(
      {},
      { label: 'PostgreSQL + Redis', env: { DATABASE_URL: url.toString(), REDIS_URL: redisUrl } },
    );
  } finally {
    await admin(`drop database if exists ${wsDb} with (force)`);
  }
}

// Upload of a 4000×3000 JPEG to its preview; clamd's start-up time and memory.
await filesBench();
