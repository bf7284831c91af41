/**
 * The gzipped size of the Mini App's initial JavaScript: the entry chunk of web/dist and every
 * chunk it imports statically (lazy routes excluded), read from Vite's manifest.
 * `tsx bench/web-size.ts [--max-kb 150]` prints it and exits 1 above the limit.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
}

const dist = path.resolve(import.meta.dirname, '..', 'web', 'dist');

/** The initial JavaScript files and their gzipped total in bytes. */
export function initialJs(distDir = dist): { files: string[]; gzipBytes: number } {
  const manifest = JSON.parse(
    readFileSync(path.join(distDir, '.vite', 'manifest.json'), 'utf8'),
  ) as Record<string, ManifestChunk>;
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const imported of manifest[key]?.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  const files = [...seen].flatMap((key) => {
    const file = manifest[key]?.file;
    return file?.endsWith('.js') ? [file] : [];
  });
  const gzipBytes = files.reduce(
    (sum, file) => sum + gzipSync(readFileSync(path.join(distDir, file)), { level: 9 }).length,
    0,
  );
  return { files, gzipBytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const flag = process.argv.indexOf('--max-kb');
  const maxKb = flag > 0 ? Number(process.argv[flag + 1]) : Infinity;
  const { files, gzipBytes } = initialJs();
  const kb = gzipBytes / 1024;
  console.log(`initial JS: ${kb.toFixed(1)} KB gzipped (${files.join(', ')})`);
  if (kb > maxKb) {
    console.error(`initial JS is over the ${maxKb} KB budget`);
    process.exit(1);
  }
}
