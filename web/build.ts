/**
 * Builds the Mini App into web/dist. `--if-stale` builds only when web/dist is missing or older
 * than the sources (so `npm start` serves a current app on a fresh checkout without rebuilding
 * every time). Without Vite installed (a production install without dev dependencies) it says so
 * and leaves the server to show its fallback page.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type * as Vite from 'vite';

const webRoot = import.meta.dirname;
const builtPage = path.join(webRoot, 'dist', 'index.html');
// The server's language rule and vocabulary (src/i18n) are part of the Mini App too.
const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'build.ts', '../src/i18n'].map(
  (name) => path.join(webRoot, name),
);

/** The newest modification time under `target` (a file or a folder). */
function newest(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(target).reduce(
    (latest, name) => Math.max(latest, newest(path.join(target, name))),
    stat.mtimeMs,
  );
}

/** True when web/dist is missing or older than any source file. */
export function isStale(): boolean {
  if (!existsSync(builtPage)) return true;
  const built = statSync(builtPage).mtimeMs;
  return sources.some((source) => newest(source) > built);
}

/** Runs Vite's production build of the Mini App. */
export async function buildWeb(): Promise<void> {
  let vite: typeof Vite;
  try {
    vite = await import('vite');
  } catch {
    console.warn('Mini App not built: Vite is not installed (npm install with dev dependencies)');
    return;
  }
  await vite.build({ configFile: path.join(webRoot, 'vite.config.ts'), logLevel: 'warn' });
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  if (!process.argv.includes('--if-stale') || isStale()) await buildWeb();
}
