// `npm run bench:faults`: a fault drill. Starts a PostgreSQL and a Redis of its own (never the
// shared ones), a server as `npm start` runs it (production, roles api, worker and bot, the fake
// Bot API), signs in 30 customers with a ticket each and keeps a steady load on the server (50
// requests a second: ticket lists, single tickets, posted messages; bench/fault-drill-load.ts, a
// process of its own). Meanwhile it stops PostgreSQL for 10 s, lets the server recover, stops Redis
// for 10 s, lets it recover. Then it reports what the clients saw (answers by status and cause, per
// phase), whether the server process survived, how long it took to answer 2xx again after each
// restart and to answer nothing but 2xx, and whether every message it acknowledged can be read
// back (none may be lost). Prints a table and writes test-results/fault-drill.json; exits 1
// when the server died or an acknowledged message was lost. About 1.5 minutes.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFakeBotApi } from '../test/fake-bot-api.js';
import { testBotToken } from '../test/init-data.js';
import { freePort, startOwnPostgres, startOwnRedis } from '../test/own-services.js';
import type { LoadCommand, LoadDone, LoadUser, RequestRecord } from './fault-drill-load.js';
import { call, signInAs, startServer, stopServer, type Server } from './server.js';

const root = path.resolve(import.meta.dirname, '..');
const customers = 30;
const perSecond = 50;
/** A request without an answer after this counts as a timeout. */
const timeoutMs = 5_000;
const steadyMs = 10_000;
const outageMs = 10_000;
const recoveryMs = 15_000;
const ownerTelegramId = 7_100_001;
const customerTelegramBase = 7_200_000;
const resultFile = path.join(root, 'test-results', 'fault-drill.json');
const requestsFile = path.join(root, 'test-results', 'fault-drill-requests.json');

const signIn = (url: string, telegramId: number) => signInAs(url, telegramId, 'Drill');

/** Every message of a ticket, page by page, as its author reads them. */
async function readMessages(url: string, user: LoadUser): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `limit=100&cursor=${cursor}` : 'limit=100';
    const page: { items: { id: string; content: string }[]; next_cursor: string | null } =
      await call(`${url}/api/v1/tickets/${user.ticketId}/messages?${query}`, { token: user.token });
    for (const item of page.items) found.set(item.id, item.content);
    cursor = page.next_cursor;
  } while (cursor);
  return found;
}

interface Phase {
  name: string;
  from: number;
  to: number;
}

const failed = (r: RequestRecord) => r.status < 200 || r.status >= 300;

/** Requests, answers by class, and causes of the failures, of the requests started in a phase. */
function summarize(records: RequestRecord[]) {
  const causes: Record<string, number> = {};
  for (const r of records.filter(failed)) {
    const cause = r.cause ?? String(r.status);
    causes[cause] = (causes[cause] ?? 0) + 1;
  }
  return {
    requests: records.length,
    answered: records.filter((r) => r.status > 0).length,
    ok2xx: records.filter((r) => r.status >= 200 && r.status < 300).length,
    client4xx: records.filter((r) => r.status >= 400 && r.status < 500).length,
    server5xx: records.filter((r) => r.status >= 500).length,
    noAnswer: records.filter((r) => r.status === 0).length,
    causes,
  };
}

/**
 * After a restart at `restartAt`: ms to the first 2xx answer of a request sent after it, and ms
 * from the restart to the first request of the unbroken run of 2xx that ends the window (null:
 * still failing at the window's end, or not a second's worth of clean requests). The window ends
 * where the next fault begins.
 */
function recovery(records: RequestRecord[], stopAt: number, restartAt: number, windowEnd: number) {
  const after = records
    .filter((r) => r.startedAt >= restartAt && r.startedAt < windowEnd)
    .sort((a, b) => a.startedAt - b.startedAt);
  const firstOk = after.filter((r) => !failed(r)).sort((a, b) => a.endedAt - b.endedAt)[0];
  // A request still under way when the next fault began may have failed of that one: left out.
  const since = records
    .filter((r) => r.startedAt >= stopAt && r.endedAt < windowEnd)
    .sort((a, b) => a.startedAt - b.startedAt);
  let clean = since.length;
  while (clean > 0 && !failed(since[clean - 1]!)) clean -= 1;
  const tail = since.slice(clean);
  const lastFailure = since[clean - 1];
  return {
    firstOkAfterRestartMs: firstOk ? firstOk.endedAt - restartAt : null,
    errorFreeAfterRestartMs:
      tail.length >= perSecond ? Math.max(0, tail[0]!.startedAt - restartAt) : null,
    lastFailure: lastFailure
      ? {
          sentAfterRestartMs: lastFailure.startedAt - restartAt,
          cause: lastFailure.cause ?? String(lastFailure.status),
        }
      : null,
  };
}

const seconds = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);

/** A death of the server process, in ms since the load started (negative: before it). */
interface Exit {
  atMs: number;
  code: number | null;
  signal: string | null;
  /** The last errors it logged (message and error), oldest first. */
  lastErrors: string[];
}

/** The message and error of each error-level line of a server's JSON log. */
function loggedErrors(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => /"level":(50|60)/.test(line))
    .map((line) => {
      try {
        const entry = JSON.parse(line) as {
          msg?: string;
          err?: { message?: string; stack?: string };
        };
        const message = (entry.err?.message ?? '').split('\n')[0]?.slice(0, 100) ?? '';
        const cause = /caused by: ([^\n]+)/.exec(entry.err?.stack ?? '')?.[1];
        return [entry.msg, message, cause && `caused by: ${cause}`].filter(Boolean).join(': ');
      } catch {
        return line.slice(0, 300);
      }
    });
}

/**
 * Keeps the server running as a restart policy would (Docker's `restart: unless-stopped`,
 * systemd's `Restart=always`): when it exits, it is noted and started again a second later, on
 * the same port, so the drill goes on and the restart's cost shows in the recovery times.
 */
function supervise(env: Record<string, string>, since: () => number) {
  const exits: Exit[] = [];
  /** When a restarted server was ready, ms since the load started. */
  const readyAgain: number[] = [];
  const tail: string[] = [];
  let errorLogLines = 0;
  let current: Server | undefined;
  let stopping = false;

  function watch(server: Server): void {
    current = server;
    const errors: string[] = [];
    let partial = '';
    server.child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      const text = lines.join('\n');
      const logged = loggedErrors(text);
      errorLogLines += logged.length;
      errors.push(...logged);
      errors.splice(0, errors.length - 3);
      tail.push(text);
      if (tail.length > 200) tail.shift();
    });
    server.child.once('exit', (code, signal) => {
      if (stopping) return;
      const logged = loggedErrors(partial);
      errorLogLines += logged.length;
      errors.push(...logged);
      errors.splice(0, errors.length - 3);
      exits.push({ atMs: Date.now() - since(), code, signal, lastErrors: [...errors] });
      console.log(`  the server process exited (code ${code}, signal ${signal}): restarting it`);
      void restart();
    });
  }

  async function restart(): Promise<void> {
    while (!stopping) {
      await sleep(1_000);
      try {
        const server = await startServer(env);
        if (stopping) {
          await stopServer(server);
          return;
        }
        readyAgain.push(Date.now() - since());
        console.log(`  the server is ready again at ${seconds(Date.now() - since())}`);
        watch(server);
        return;
      } catch (error) {
        const why = String(error).split('\n')[0]?.replace(/:$/, '') ?? '';
        exits.push({
          atMs: Date.now() - since(),
          code: null,
          signal: 'start failed',
          lastErrors: [why],
        });
        console.log(`  the server failed to start again: ${String(error).split('\n')[0]}`);
      }
    }
  }

  return {
    exits,
    readyAgain,
    tail: () => tail.join('').slice(-4000),
    errorLogLines: () => errorLogLines,
    async start(): Promise<Server> {
      const server = await startServer(env);
      watch(server);
      return server;
    },
    /** The server now running, if any: waits for a restart under way. */
    async running(timeoutMs: number): Promise<Server | undefined> {
      const deadline = Date.now() + timeoutMs;
      while (current?.child.exitCode !== null && Date.now() < deadline) await sleep(200);
      return current?.child.exitCode === null ? current : undefined;
    },
    async stop(): Promise<void> {
      stopping = true;
      if (current) await stopServer(current).catch(() => undefined);
    },
  };
}

async function main(): Promise<number> {
  console.log('fault drill: starting PostgreSQL, Redis, the fake Bot API and the server');
  const postgres = await startOwnPostgres();
  const redis = await startOwnRedis();
  const fake = await startFakeBotApi();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-drill-'));
  const port = await freePort();
  const env = {
    NODE_ENV: 'production',
    ROLES: 'api,worker,bot',
    PORT: String(port),
    DATA_DIR: dataDir,
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    JWT_SECRET: 'fault-drill-secret-of-at-least-32-characters',
    TELEGRAM_BOT_TOKEN: testBotToken,
    TELEGRAM_API_ROOT: fake.url,
    OWNER_TELEGRAM_IDS: String(ownerTelegramId),
    RATE_LIMIT_MAX: '1000000',
    AUTH_RATE_LIMIT_MAX: '1000000',
    LOG_LEVEL: 'info',
  };
  let t0 = Date.now();
  const supervisor = supervise(env, () => t0);
  let load: ChildProcess | undefined;
  try {
    const server = await supervisor.start();
    const url = server.url;
    const ownerToken = await signIn(url, ownerTelegramId);
    const category = await call<{ id: string }>(`${url}/api/v1/categories`, {
      method: 'POST',
      token: ownerToken,
      body: JSON.stringify({ name: 'Drill' }),
    });
    const users: LoadUser[] = [];
    for (let i = 1; i <= customers; i += 1) {
      const token = await signIn(url, customerTelegramBase + i);
      const ticket = await call<{ id: string }>(`${url}/api/v1/tickets`, {
        method: 'POST',
        token,
        body: JSON.stringify({
          category_id: category.id,
          title: `Drill ticket ${i}`,
          description: 'Kept busy while the services go away',
        }),
      });
      users.push({ token, ticketId: ticket.id });
    }

    load = fork(path.join(import.meta.dirname, 'fault-drill-load.ts'), [], {
      cwd: root,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const loadChild = load;
    const ready = new Promise<void>((resolve) => {
      loadChild.once('message', () => resolve());
    });
    const done = new Promise<RequestRecord[]>((resolve, reject) => {
      loadChild.on('message', (message: LoadDone | { type: 'ready' }) => {
        if (message.type === 'done') resolve(message.records);
      });
      loadChild.once('exit', (code) => reject(new Error(`the load process exited with ${code}`)));
    });
    done.catch(() => undefined); // awaited at the end; an early exit must not crash the drill first
    const send = (command: LoadCommand) => loadChild.send(command);
    await ready;
    const loadBefore = os.loadavg()[0] ?? 0;
    send({ type: 'start', url, perSecond, timeoutMs, users });
    t0 = Date.now();
    console.log(`  load: ${perSecond} requests/s from ${customers} customers`);

    await sleep(steadyMs);
    const pgStopAt = Date.now();
    await postgres.stop('fast');
    console.log(`  PostgreSQL stopped at ${seconds(pgStopAt - t0)}`);
    await sleep(outageMs - (Date.now() - pgStopAt));
    await postgres.start();
    const pgStartAt = Date.now();
    console.log(`  PostgreSQL started at ${seconds(pgStartAt - t0)}`);
    await sleep(recoveryMs);

    const redisStopAt = Date.now();
    await redis.stop();
    console.log(`  Redis stopped at ${seconds(redisStopAt - t0)}`);
    await sleep(outageMs - (Date.now() - redisStopAt));
    await redis.start();
    const redisStartAt = Date.now();
    console.log(`  Redis started at ${seconds(redisStartAt - t0)}`);
    await sleep(recoveryMs);
    const loadEnd = Date.now();
    send({ type: 'stop' });
    const records = await done;

    const phases: Phase[] = [
      { name: 'steady', from: t0, to: pgStopAt },
      { name: 'PostgreSQL down', from: pgStopAt, to: pgStartAt },
      { name: 'PostgreSQL back', from: pgStartAt, to: redisStopAt },
      { name: 'Redis down', from: redisStopAt, to: redisStartAt },
      { name: 'Redis back', from: redisStartAt, to: Number.POSITIVE_INFINITY },
    ];
    const byPhase = phases.map((phase) => ({
      phase: phase.name,
      fromS: (phase.from - t0) / 1000,
      toS: (Math.min(phase.to, loadEnd) - t0) / 1000,
      // By when the client learned the outcome: a request sent before a fault and failed by it
      // counts in the fault's phase.
      ...summarize(records.filter((r) => r.endedAt >= phase.from && r.endedAt < phase.to)),
    }));
    const total = summarize(records);
    const recoveries = {
      postgres: recovery(records, pgStopAt, pgStartAt, redisStopAt),
      redis: recovery(records, redisStopAt, redisStartAt, loadEnd),
    };

    // Every message acknowledged with 2xx must be there; read back through a live server.
    const survived = supervisor.exits.length === 0;
    const reader = await supervisor.running(60_000);
    if (!reader) throw new Error(`no server to read the messages back:\n${supervisor.tail()}`);
    const acknowledged = records.filter((r) => r.kind === 'post' && !failed(r) && r.messageId);
    const unacknowledged = records.filter((r) => r.kind === 'post' && failed(r));
    const stored = new Map<string, string>();
    const storedTexts = new Set<string>();
    for (const user of users) {
      for (const [id, content] of await readMessages(reader.url, user)) {
        stored.set(id, content);
        storedTexts.add(content);
      }
    }
    const lost = acknowledged.filter((r) => stored.get(r.messageId!) !== r.text);
    const storedAnyway = unacknowledged.filter((r) => r.text && storedTexts.has(r.text));

    const report = {
      when: new Date().toISOString(),
      setup: { customers, perSecond, timeoutMs, steadyMs, outageMs, recoveryMs },
      /** The machine's 1-minute load average at the start of the load and at its end. */
      loadAverage: [loadBefore, os.loadavg()[0] ?? 0],
      serverSurvived: survived,
      serverExits: supervisor.exits,
      serverReadyAgainAtMs: supervisor.readyAgain,
      serverErrorLogLines: supervisor.errorLogLines(),
      total,
      byPhase,
      recoveries,
      messages: {
        posted: acknowledged.length + unacknowledged.length,
        acknowledged: acknowledged.length,
        lost: lost.length,
        lostIds: lost.map((r) => r.messageId),
        notAcknowledgedButStored: storedAnyway.length,
      },
      fakeBotApiCalls: fake.calls.length,
    };
    printReport(report);
    mkdirSync(path.dirname(resultFile), { recursive: true });
    writeFileSync(resultFile, `${JSON.stringify(report, null, 2)}\n`);
    // Every request, in ms since the load started, for a closer look.
    const timeline = records
      .map((r) => ({ ...r, startedAt: r.startedAt - t0, endedAt: r.endedAt - t0 }))
      .sort((a, b) => a.startedAt - b.startedAt);
    writeFileSync(requestsFile, `${JSON.stringify(timeline)}\n`);
    console.log(
      `\n  written to ${path.relative(root, resultFile)} (every request: ${path.basename(requestsFile)})`,
    );
    return survived && lost.length === 0 ? 0 : 1;
  } finally {
    load?.kill('SIGKILL');
    await supervisor.stop();
    await fake.close();
    await redis.destroy();
    await postgres.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function printReport(report: {
  loadAverage: number[];
  serverSurvived: boolean;
  serverExits: Exit[];
  serverReadyAgainAtMs: number[];
  serverErrorLogLines: number;
  total: ReturnType<typeof summarize>;
  byPhase: (ReturnType<typeof summarize> & { phase: string; fromS: number; toS: number })[];
  recoveries: Record<string, ReturnType<typeof recovery>>;
  messages: {
    posted: number;
    acknowledged: number;
    lost: number;
    notAcknowledgedButStored: number;
  };
}): void {
  const row = (cells: (string | number)[]) =>
    console.log(
      '  ' +
        cells
          .map((cell, i) => (i === 0 ? String(cell).padEnd(26) : String(cell).padStart(10)))
          .join(''),
    );
  console.log('\nFault drill');
  console.log(`  (load average ${report.loadAverage.map((l) => l.toFixed(1)).join(' → ')})`);
  row(['phase, s (by outcome time)', 'requests', 'answered', '2xx', '4xx', '5xx', 'no answer']);
  for (const p of [...report.byPhase, { ...report.total, phase: 'total', fromS: 0, toS: 0 }]) {
    const name =
      p.phase === 'total' ? 'total' : `${p.phase} ${p.fromS.toFixed(0)}–${p.toS.toFixed(0)}`;
    row([name, p.requests, p.answered, p.ok2xx, p.client4xx, p.server5xx, p.noAnswer]);
  }
  console.log('\n  failures by cause');
  for (const p of report.byPhase) {
    for (const [cause, count] of Object.entries(p.causes).sort((a, b) => b[1] - a[1])) {
      console.log(`    ${p.phase.padEnd(18)} ${String(count).padStart(6)}  ${cause}`);
    }
  }
  console.log(
    '\n  after the restart of       first 2xx answer   all 2xx when sent after   last failure sent',
  );
  for (const [name, r] of Object.entries(report.recoveries)) {
    const last = r.lastFailure
      ? `${seconds(r.lastFailure.sentAfterRestartMs)} (${r.lastFailure.cause})`
      : 'none';
    console.log(
      `    ${name.padEnd(22)} ${seconds(r.firstOkAfterRestartMs).padStart(16)}` +
        `   ${seconds(r.errorFreeAfterRestartMs).padStart(23)}   ${last}`,
    );
  }
  const how = (e: Exit) => e.signal ?? 'exit code ' + String(e.code);
  const exits = report.serverExits.map((e) => `${seconds(e.atMs)} (${how(e)})`).join(', ');
  const ready = report.serverReadyAgainAtMs.map((ms) => seconds(ms)).join(', ') || 'never';
  const survival = report.serverSurvived
    ? 'yes'
    : `NO: exited at ${exits}; restarted by the drill, ready again at ${ready}`;
  console.log(
    `\n  server process survived: ${survival}; error log lines: ${report.serverErrorLogLines}`,
  );
  for (const exit of report.serverExits) {
    console.log(`    before the exit at ${seconds(exit.atMs)}:`);
    for (const error of exit.lastErrors) console.log(`      ${error}`);
  }
  const m = report.messages;
  console.log(
    `  messages posted ${m.posted}, acknowledged ${m.acknowledged}, LOST ${m.lost}` +
      ` (not acknowledged but stored: ${m.notAcknowledgedButStored})`,
  );
}

process.exitCode = await main();
