// `npm run bench`: start-up time and HTTP latency/throughput of a real server process.
// Runs against the embedded database; set BENCH_DATABASE_URL and BENCH_REDIS_URL to run the
// same against PostgreSQL and Redis too. Prints its figures; asserts nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';

const root = path.resolve(import.meta.dirname, '..');

interface Server {
  url: string;
  readyMs: number;
  child: ChildProcess;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /is ready at (http:\/\/[\d.:]+)/.exec(output);
      if (match?.[1]) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 20);
    child.on('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`server exited with ${code}: ${output}`));
    });
  });
  for (;;) {
    const response = await fetch(`${url}/health/ready`).catch(() => undefined);
    if (response?.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { url, readyMs: performance.now() - started, child };
}

async function stop(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

async function load(title: string, options: autocannon.Options): Promise<void> {
  const result = await autocannon({ connections: 20, duration: 8, ...options });
  const { latency, requests, non2xx, errors } = result;
  console.log(
    `  ${title.padEnd(34)} ${Math.round(requests.average).toString().padStart(6)} req/s` +
      `   p50 ${latency.p50} ms   p90 ${latency.p90} ms   p99 ${latency.p99} ms` +
      (non2xx || errors ? `   (non-2xx ${non2xx}, errors ${errors})` : ''),
  );
}

async function run(label: string, env: Record<string, string>): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-bench-'));
  try {
    console.log(`\n${label}`);
    const cold = await startServer({ ...env, DATA_DIR: dataDir });
    console.log(
      `  start-up, empty data dir (migrate + seed) ${Math.round(cold.readyMs)} ms to /health/ready`,
    );
    await stop(cold);
    const server = await startServer({ ...env, DATA_DIR: dataDir });
    console.log(
      `  start-up, existing data                  ${Math.round(server.readyMs)} ms to /health/ready`,
    );
    try {
      const demo = await fetch(`${server.url}/api/v1/auth/demo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'agent' }),
      });
      const { access_token: token } = (await demo.json()) as { access_token: string };
      await load('GET /health/live', { url: `${server.url}/health/live` });
      await load('GET /api/v1/auth/me (signed in)', {
        url: `${server.url}/api/v1/auth/me`,
        headers: { authorization: `Bearer ${token}` },
      });
      await load('GET /health/ready (db + queue)', { url: `${server.url}/health/ready` });
    } finally {
      await stop(server);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// The API's own rate limit would turn a load test into a 429 test; lift it for the bench.
const unlimited = { RATE_LIMIT_MAX: '1000000', AUTH_RATE_LIMIT_MAX: '1000000' };
console.log(
  `Node ${process.version}, ${os.cpus().length} CPUs; autocannon, 20 connections, 8 s each`,
);
await run('embedded (PGlite, in-process adapters)', unlimited);
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
    await run('PostgreSQL + Redis', {
      ...unlimited,
      DATABASE_URL: url.toString(),
      REDIS_URL: redisUrl,
    });
  } finally {
    await admin(`drop database if exists ${name} with (force)`);
  }
}
