// The load generator of `npm run bench:load` (bench/load.ts), in a process of its own so that its
// work never shares an event loop (or a CPU's time slice, when it can help it) with the server's.
// Forked with an IPC channel: takes one `LoadJob` message, runs it with autocannon (or, for the
// idle measurements, one request at a time with fetch), answers with a `LoadResult`, and exits.
import http from 'node:http';
import autocannon from 'autocannon';
import { cpuMs } from './cpu-time.js';

/** One signed-in customer and the tickets it talks on. */
export interface LoadUser {
  token: string;
  ticketIds: string[];
  /** The user's own address, sent as a proxy in front of the server would (X-Forwarded-For). */
  address: string;
}

/** What bench/load.ts asks of this process. */
export type LoadJob =
  | {
      /** `users` connections, each sending `rate` requests a second (0: as fast as answered). */
      type: 'mix';
      url: string;
      users: LoadUser[];
      connections: number;
      rate: number;
      seconds: number;
    }
  | {
      /**
       * Each request alone, `count` times after a warm-up; the median of each. Then, when
       * `cpuOf` names the process that answers each request, `cpuCount` more of each in a row,
       * and that process's CPU time per request (from /proc).
       */
      type: 'idle';
      requests: {
        name: string;
        url: string;
        method?: string;
        token?: string;
        body?: string;
        cpuOf?: number;
      }[];
      count: number;
      cpuCount: number;
    };

/** Figures of a `mix` job. */
export interface MixResult {
  type: 'mix';
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  byKind: Record<string, { count: number; p50: number; p95: number }>;
}

/**
 * Figures of an `idle` job: the median and p90 of each request, in ms, and the CPU ms its
 * server spent per request (NaN when not measured).
 */
export interface IdleResult {
  type: 'idle';
  medians: Record<string, { p50: number; p90: number; cpu: number }>;
}

export type LoadResult = MixResult | IdleResult;

/** The `fraction` percentile of ascending `sorted` (nearest rank). */
function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

const kinds = ['list', 'get', 'messages', 'post'] as const;

/**
 * The mixed load: every connection cycles through the four requests of one user (its own ticket
 * list, one of its tickets, that ticket's messages, a message posted to it), a quarter each.
 */
async function mix(job: Extract<LoadJob, { type: 'mix' }>): Promise<MixResult> {
  if (job.rate > 0) return paced(job);
  let nextUser = 0;
  const latencies: number[] = [];
  const byKind = new Map<string, number[]>(kinds.map((kind) => [kind, []]));
  interface Context {
    user?: LoadUser;
    ticketId?: string;
  }
  const headersOf = (context: Context) => ({
    authorization: `Bearer ${context.user?.token ?? ''}`,
    'x-forwarded-for': context.user?.address ?? '',
    'content-type': 'application/json',
  });
  let posted = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: job.seconds,
        ...(job.rate > 0 ? { connectionRate: job.rate } : {}),
        timeout: 10,
        requests: [
          {
            setupRequest: (request, context: Context) => {
              const user = job.users[nextUser % job.users.length];
              nextUser += 1;
              context.user = user;
              context.ticketId = user?.ticketIds[nextUser % user.ticketIds.length];
              return {
                ...request,
                method: 'GET',
                path: '/api/v1/tickets?limit=20',
                headers: headersOf(context),
              };
            },
          },
          {
            setupRequest: (request, context: Context) => ({
              ...request,
              method: 'GET',
              path: `/api/v1/tickets/${context.ticketId ?? ''}`,
              headers: headersOf(context),
            }),
          },
          {
            setupRequest: (request, context: Context) => ({
              ...request,
              method: 'GET',
              path: `/api/v1/tickets/${context.ticketId ?? ''}/messages?limit=50`,
              headers: headersOf(context),
            }),
          },
          {
            setupRequest: (request, context: Context) => {
              posted += 1;
              return {
                ...request,
                method: 'POST',
                path: `/api/v1/tickets/${context.ticketId ?? ''}/messages`,
                headers: headersOf(context),
                body: JSON.stringify({ content: `Any news? (${posted})` }),
              };
            },
          },
        ],
      },
      (error, done) => {
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(done);
      },
    );
    // Each connection sends the four in order and gets its answers in order: the n-th answer of
    // a connection is to request n mod 4.
    const answered = new Map<unknown, number>();
    instance.on('response', (client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
      const count = answered.get(client) ?? 0;
      answered.set(client, count + 1);
      byKind.get(kinds[count % kinds.length] ?? 'list')?.push(responseTime);
    });
  });
  const sorted = Float64Array.from(latencies).sort();
  const kindFigures: MixResult['byKind'] = {};
  for (const [kind, values] of byKind) {
    const ordered = Float64Array.from(values).sort();
    kindFigures[kind] = {
      count: ordered.length,
      p50: percentile(ordered, 0.5),
      p95: percentile(ordered, 0.95),
    };
  }
  return {
    type: 'mix',
    requests: result.requests.total,
    perSecond: result.requests.total / job.seconds,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    byKind: kindFigures,
  };
}

/** Figures of `latencies` (ms, per kind) over `seconds`. */
function figures(
  latencies: Map<string, number[]>,
  seconds: number,
  failures: Pick<MixResult, 'errors' | 'timeouts' | 'non2xx'>,
): MixResult {
  const all = Float64Array.from([...latencies.values()].flat()).sort();
  const byKind: MixResult['byKind'] = {};
  for (const [kind, values] of latencies) {
    const ordered = Float64Array.from(values).sort();
    byKind[kind] = {
      count: ordered.length,
      p50: percentile(ordered, 0.5),
      p95: percentile(ordered, 0.95),
    };
  }
  return {
    type: 'mix',
    requests: all.length,
    perSecond: all.length / seconds,
    p50: percentile(all, 0.5),
    p95: percentile(all, 0.95),
    p99: percentile(all, 0.99),
    max: all.at(-1) ?? Number.NaN,
    ...failures,
    byKind,
  };
}

/**
 * The paced load: each user sends `rate` requests a second on its own keep-alive connection,
 * cycling through the four kinds, one request at a time as an app does. The users' clocks are
 * spread evenly over the first interval, as real users' are (not all at the same instant, which
 * is what autocannon's `connectionRate` does: it sends every connection's request at once and
 * measures a burst of `users` requests each second instead). A request whose slot comes while the
 * user's previous one is still unanswered waits for it, and its latency is counted from its slot
 * (no coordinated omission).
 */
async function paced(job: Extract<LoadJob, { type: 'mix' }>): Promise<MixResult> {
  const intervalMs = 1000 / job.rate;
  const url = new URL(job.url);
  const latencies = new Map<string, number[]>(kinds.map((kind) => [kind, []]));
  const failures = { errors: 0, timeouts: 0, non2xx: 0 };
  const statuses = new Map<number, number>();
  const started = performance.now();
  const endAt = started + job.seconds * 1000;
  let posted = 0;

  const send = (
    user: LoadUser,
    path: string,
    method: string,
    agentOfUser: http.Agent,
    body?: string,
  ) =>
    new Promise<number>((resolve) => {
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          path,
          method,
          agent: agentOfUser,
          timeout: 10_000,
          headers: {
            authorization: `Bearer ${user.token}`,
            'x-forwarded-for': user.address,
            ...(body
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
              : {}),
          },
        },
        (response) => {
          response.resume();
          response.once('end', () => resolve(response.statusCode ?? 0));
        },
      );
      let timedOut = false;
      request.once('timeout', () => {
        timedOut = true;
        request.destroy(new Error('timeout'));
      });
      // -1: no answer in time; 0: no answer at all (connection refused or reset).
      request.once('error', () => resolve(timedOut ? -1 : 0));
      request.end(body);
    });

  await Promise.all(
    job.users.slice(0, job.connections).map(async (user, index) => {
      const userAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      let slot = started + (index / job.connections) * intervalMs;
      for (let turn = 0; slot < endAt; turn += 1, slot += intervalMs) {
        const wait = slot - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const kind = kinds[(turn + index) % kinds.length] ?? 'list';
        const ticketId =
          user.ticketIds[Math.floor(turn / kinds.length) % user.ticketIds.length] ?? '';
        let status: number;
        if (kind === 'list')
          status = await send(user, '/api/v1/tickets?limit=20', 'GET', userAgent);
        else if (kind === 'get')
          status = await send(user, `/api/v1/tickets/${ticketId}`, 'GET', userAgent);
        else if (kind === 'messages') {
          status = await send(
            user,
            `/api/v1/tickets/${ticketId}/messages?limit=50`,
            'GET',
            userAgent,
          );
        } else {
          posted += 1;
          const body = JSON.stringify({ content: `Any news? (${posted})` });
          status = await send(
            user,
            `/api/v1/tickets/${ticketId}/messages`,
            'POST',
            userAgent,
            body,
          );
        }
        latencies.get(kind)?.push(performance.now() - slot);
        if (status === -1) failures.timeouts += 1;
        else if (status === 0) failures.errors += 1;
        else if (status >= 300) {
          failures.non2xx += 1;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }
      userAgent.destroy();
    }),
  );
  if (statuses.size > 0) console.error('  non-2xx answers:', Object.fromEntries(statuses));
  // Answered per second over the time it took: when the server falls behind, that is longer.
  return figures(latencies, (performance.now() - started) / 1000, failures);
}

/** Each request alone, one after the other, as one client on an idle server would send them. */
async function idle(job: Extract<LoadJob, { type: 'idle' }>): Promise<IdleResult> {
  const medians: IdleResult['medians'] = {};
  const send = async (
    request: LoadJob & { type: 'idle' } extends { requests: (infer R)[] } ? R : never,
  ) => {
    const response = await fetch(request.url, {
      method: request.method ?? 'GET',
      headers: {
        ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
        ...(request.body ? { 'content-type': 'application/json' } : {}),
      },
      body: request.body,
    });
    await response.arrayBuffer();
    if (!response.ok)
      throw new Error(`${request.name}: ${request.url} answered ${response.status}`);
  };
  for (const request of job.requests) for (let i = 0; i < 20; i += 1) await send(request);
  // Interleaved, so that a busy moment of the shared machine falls on every request alike.
  const times = new Map<string, number[]>(job.requests.map((request) => [request.name, []]));
  for (let i = 0; i < job.count; i += 1) {
    for (const request of job.requests) {
      const started = performance.now();
      await send(request);
      times.get(request.name)?.push(performance.now() - started);
    }
  }
  for (const [name, values] of times) {
    const sorted = Float64Array.from(values).sort();
    medians[name] = { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), cpu: Number.NaN };
  }
  // CPU per request, each request in a block of its own: /proc counts in 10 ms ticks, so a
  // block of a few hundred requests puts the figure within a few per cent.
  for (const request of job.requests) {
    const figures = medians[request.name];
    if (request.cpuOf === undefined || !figures) continue;
    const before = cpuMs(request.cpuOf);
    for (let i = 0; i < job.cpuCount; i += 1) await send(request);
    figures.cpu = (cpuMs(request.cpuOf) - before) / job.cpuCount;
  }
  return { type: 'idle', medians };
}

process.once('message', (job: LoadJob) => {
  const run = job.type === 'mix' ? mix(job) : idle(job);
  run.then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
process.send?.({ type: 'ready' });
