// What every benchmark shares: a real server process (`src/main.ts`) and percentiles.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { signInitData } from '../test/init-data.js';

const root = path.resolve(import.meta.dirname, '..');

/** A server process started by {@link startServer}. */
export interface Server {
  url: string;
  /** From spawn until `/health/ready` answered 200. */
  readyMs: number;
  child: ChildProcess;
}

/**
 * Starts `src/main.ts` on a free port with `env` (on top of PATH and HOME only, so the caller's
 * environment never leaks in) and Node's `nodeOptions` (e.g. `--cpu-prof`), and resolves once it
 * is ready; rejects if it exits first.
 */
export async function startServer(
  env: Record<string, string>,
  nodeOptions: string[] = [],
): Promise<Server> {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', 'src/main.ts'], {
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
  // The server logs every request; keep only the tail, for the message should it die.
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-32_000);
  });
  const url = await waitUntilReady(child, () => output, 'server', 20);
  return { url, readyMs: performance.now() - started, child };
}

/**
 * Resolves with the server's address once its log says where it listens and `/health/ready`
 * answers 200 (polling every `pollMs`); rejects with the log's tail if `child` exits first.
 */
export async function waitUntilReady(
  child: ChildProcess,
  output: () => string,
  label: string,
  pollMs: number,
): Promise<string> {
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /is ready at (http:\/\/[\d.:]+)/.exec(output());
      if (!match?.[1]) return;
      clearInterval(timer);
      resolve(match[1]);
    }, pollMs);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`${label} exited with ${code}:\n${output()}`));
    });
  });
  for (;;) {
    const response = await fetch(`${url}/health/ready`).catch(() => undefined);
    if (response?.status === 200) return url;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Stops the server with SIGTERM (a graceful shutdown) and waits for it to exit. */
export async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/** The `fraction` percentile of ascending `sorted` (nearest rank); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

/** A JSON call to the server under test; throws with the answer when it is not a 2xx. */
export async function call<T>(
  url: string,
  init: RequestInit & { token?: string } = {},
): Promise<T> {
  const { token, ...rest } = init;
  const response = await fetch(url, {
    ...rest,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Signs in as a Telegram user, with launch data signed for the test bot, and returns the token. */
export async function signInAs(
  url: string,
  telegramId: number,
  firstName: string,
): Promise<string> {
  const body = await call<{ access_token: string }>(`${url}/api/v1/auth/telegram`, {
    method: 'POST',
    body: JSON.stringify({ init_data: signInitData({ id: telegramId, first_name: firstName }) }),
  });
  return body.access_token;
}
