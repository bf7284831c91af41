// WebSocket load: many concurrent sockets on one server process, and how long a message posted
// through REST takes to reach every socket subscribed to its ticket. The server runs as a child
// process (demo mode; the embedded database, or PostgreSQL + Redis when given their URLs); the
// sockets live in this process. Prints its figures; asserts nothing. Run alone with `npx tsx bench/ws-load.ts`, or as part of `npm run bench`.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { textOf } from '../src/realtime/protocol.js';
import { percentile, startServer, stopServer } from './server.js';

/** What to load the server with. */
export interface WsLoadOptions {
  sockets: number;
  /**
   * Of the sockets, how many are staff: every staff socket gets every public message (the
   * queues stay live), the others only those of the ticket they follow.
   */
  staff: number;
  tickets: number;
  /** Messages posted, one after another; each goes to sockets / tickets subscribers. */
  posts: number;
  /** Sockets opening at once. */
  connectConcurrency: number;
}

const defaults: WsLoadOptions = {
  sockets: 5_000,
  staff: 100,
  tickets: 50,
  posts: 200,
  connectConcurrency: 100,
};

/** Where the server keeps its data: a label for the printout and the environment that says so. */
export interface WsLoadTarget {
  label: string;
  env: Record<string, string>;
}

const embedded: WsLoadTarget = { label: 'embedded database', env: {} };

/** The server's resident memory and JavaScript heap in use, in MB, from its /metrics. */
async function memoryMb(url: string): Promise<{ rss: number; heap: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) =>
    Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]) / 1024 / 1024;
  return { rss: read('process_resident_memory_bytes'), heap: read('nodejs_heap_size_used_bytes') };
}

async function api<T>(url: string, method: string, token?: string, body?: object): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok)
    throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Opens one socket, authenticated by query token and subscribed to `ticketId`. */
function openSocket(wsUrl: string, token: string, ticketId: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${wsUrl}?token=${token}`);
    socket.once('error', reject);
    socket.once('open', () =>
      socket.send(JSON.stringify({ type: 'subscribe', ticket_id: ticketId })),
    );
    const onMessage = (data: WebSocket.RawData) => {
      if (!textOf(data).startsWith('{"type":"subscribed"')) return;
      socket.off('message', onMessage);
      resolve(socket);
    };
    socket.on('message', onMessage);
  });
}

/** Runs the WebSocket load and prints connect time, server memory and fan-out latency. */
export async function wsLoad(
  options: Partial<WsLoadOptions> = {},
  target: WsLoadTarget = embedded,
): Promise<void> {
  const { sockets, staff, tickets, posts, connectConcurrency } = { ...defaults, ...options };
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-ws-bench-'));
  const server = await startServer({
    DATA_DIR: dataDir,
    ROLES: 'api',
    RATE_LIMIT_MAX: '1000000',
    AUTH_RATE_LIMIT_MAX: '1000000',
    WS_MAX_CONNECTIONS_PER_USER: '100000',
    WS_MAX_CONNECTIONS_PER_IP: '1000000',
    WS_AUTH_TIMEOUT_MS: '60000',
    ...target.env,
  });
  const open: WebSocket[] = [];
  try {
    const signIn = (role: string) =>
      api<{ access_token: string }>(`${server.url}/api/v1/auth/demo`, 'POST', undefined, { role });
    const agent = (await signIn('agent')).access_token;
    const user = (await signIn('user')).access_token;
    const categories = await api<{ items: { id: string }[] }>(
      `${server.url}/api/v1/categories`,
      'GET',
      user,
    );
    const ticketIds: string[] = [];
    for (let i = 0; i < tickets; i++) {
      const ticket = await api<{ id: string }>(`${server.url}/api/v1/tickets`, 'POST', user, {
        category_id: categories.items[0]?.id,
        title: `Load ticket ${i}`,
        description: 'Opened by the WebSocket bench',
      });
      ticketIds.push(ticket.id);
    }
    const before = await memoryMb(server.url);

    const wsUrl = `${server.url.replace(/^http/, 'ws')}/api/v1/ws`;
    const connecting = performance.now();
    for (let start = 0; start < sockets; start += connectConcurrency) {
      const batch = [];
      for (let i = start; i < Math.min(sockets, start + connectConcurrency); i++) {
        // The first `staff` sockets are the agent's, the rest the customer's (who opened them all).
        batch.push(openSocket(wsUrl, i < staff ? agent : user, ticketIds[i % tickets] ?? ''));
      }
      open.push(...(await Promise.all(batch)));
    }
    const connectMs = performance.now() - connecting;
    const after = await memoryMb(server.url);

    // Each socket notes when a bench message reaches it; the marker says which post it was.
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const postTimes: number[] = [];
    let pending = 0;
    let allArrived: () => void = () => undefined;
    for (const socket of open) {
      socket.on('message', (data: WebSocket.RawData) => {
        const text = textOf(data);
        if (!text.startsWith('{"type":"message.created"')) return;
        const marker = /bench-\d+/.exec(text)?.[0];
        const at = marker ? sentAt.get(marker) : undefined;
        if (at === undefined) return;
        latencies.push(performance.now() - at);
        pending -= 1;
        if (pending === 0) allArrived();
      });
    }
    const perTicket = Math.ceil((sockets - staff) / tickets) + staff;
    for (let n = 0; n < posts; n++) {
      const ticketId = ticketIds[n % tickets] ?? '';
      const audience = open.filter((_socket, i) => i < staff || i % tickets === n % tickets).length;
      const arrived = new Promise<void>((resolve) => {
        allArrived = resolve;
        setTimeout(resolve, 5_000).unref();
      });
      pending = audience;
      const postedAt = performance.now();
      sentAt.set(`bench-${n}`, postedAt);
      await api(`${server.url}/api/v1/tickets/${ticketId}/messages`, 'POST', agent, {
        content: `bench-${n}`,
      });
      postTimes.push(performance.now() - postedAt);
      await arrived;
    }
    const sorted = Float64Array.from(latencies).sort();
    const ms = (fraction: number) => percentile(sorted, fraction).toFixed(1);
    const postSorted = Float64Array.from(postTimes).sort();
    const postMs = (fraction: number) => percentile(postSorted, fraction).toFixed(1);
    const expected = posts * perTicket;
    console.log(`\nWebSocket load (one server process, ${target.label})`);
    console.log(
      `  ${open.length} sockets open and subscribed (${staff} staff, who get every message, and` +
        ` customers on ${tickets} tickets: ${perTicket} deliveries a message) in` +
        ` ${Math.round(connectMs)} ms (${Math.round((open.length / connectMs) * 1000)} sockets/s)`,
    );
    console.log(
      `  server memory with the sockets: RSS ${after.rss.toFixed(0)} MB, JS heap` +
        ` ${after.heap.toFixed(0)} MB (before they connected: RSS ${before.rss.toFixed(0)} MB,` +
        ` heap ${before.heap.toFixed(0)} MB)`,
    );
    console.log(
      `  fan-out, POST /tickets/{id}/messages to each subscriber's receipt (${posts} posts,` +
        ` ${latencies.length}/${expected} deliveries): p50 ${ms(0.5)} ms   p95 ${ms(0.95)} ms` +
        `   p99 ${ms(0.99)} ms`,
    );
    console.log(
      `  of which the POST itself (until its response): p50 ${postMs(0.5)} ms` +
        `   p95 ${postMs(0.95)} ms   p99 ${postMs(0.99)} ms`,
    );
  } finally {
    for (const socket of open) socket.terminate();
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await wsLoad();
}
