import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';

const root = path.resolve(import.meta.dirname, '..');

/** A `src/main.ts` process, with everything it printed so far. */
export interface AppProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** Standard output and error, interleaved as they arrived. */
  output(): string;
}

/**
 * Spawns `src/main.ts` as `npm start` does, in an environment of only PATH, HOME and `env`,
 * so that the developer's own settings cannot leak into what the test sees.
 */
export function spawnApp(env: Record<string, string>): AppProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/**
 * The URL from the app's "is ready at" line, once it prints it. Fails with everything the
 * app printed (and kills it) when it exits first or stays silent for `timeoutMs`.
 */
export async function readyUrl(app: AppProcess, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const url = /is ready at (http:\/\/[\d.:]+)/.exec(app.output())?.[1];
    if (url) return url;
    if (app.child.exitCode !== null || Date.now() > deadline) {
      app.child.kill('SIGKILL');
      throw new Error(`server did not start:\n${app.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
