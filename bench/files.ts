// Attachments, part of `npm run bench`: the time from the start of an upload of a 4000×3000 JPEG
// to its preview being downloadable, through a real server process (embedded database, local
// files), without and with antivirus scanning; then clamd's start-up time and memory with the
// test signature database (test/clamd.ts). Prints its figures; asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { createClamdScanner } from '../src/platform/scanner.js';
import { startClamd } from '../test/clamd.js';
import { startServer, stopServer } from './server.js';

const rounds = 7;

/** A 4000×3000 photo-like JPEG: smooth gradients with a little noise, as a phone camera makes. */
async function photo(): Promise<Buffer> {
  const width = 4000;
  const height = 3000;
  const noise = await sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 20 },
    },
  })
    .blur(0.7)
    .raw()
    .toBuffer();
  return sharp(noise, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function uploadToPreview(label: string, env: Record<string, string>, jpeg: Buffer) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-bench-files-'));
  const server = await startServer({ DATA_DIR: dataDir, UPLOAD_RATE_LIMIT: '1000', ...env });
  try {
    const signIn = await fetch(`${server.url}/api/v1/auth/demo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'user' }),
    });
    const { access_token: token } = (await signIn.json()) as { access_token: string };
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const form = new FormData();
      form.append('file', new Blob([jpeg], { type: 'image/jpeg' }), `photo-${i}.jpg`);
      const started = performance.now();
      const response = await fetch(`${server.url}/api/v1/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      const body = (await response.json()) as { items?: { preview_url: string | null }[] };
      const previewUrl = body.items?.[0]?.preview_url;
      if (response.status !== 201 || !previewUrl) {
        throw new Error(`upload answered ${response.status}: ${JSON.stringify(body)}`);
      }
      const preview = await fetch(`${server.url}${previewUrl}`);
      await preview.arrayBuffer();
      if (preview.status !== 200) throw new Error(`preview answered ${preview.status}`);
      times.push(performance.now() - started);
    }
    // The first round warms sharp and the database up; it is left out.
    const warm = times.slice(1);
    console.log(
      `  ${label.padEnd(41)} median ${Math.round(median(warm))} ms, ` +
        `best ${Math.round(Math.min(...warm))} ms (${warm.length} rounds)`,
    );
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs the attachment benchmarks and prints their figures. */
export async function filesBench(): Promise<void> {
  console.log('\nattachments');
  const jpeg = await photo();
  console.log(
    `  4000×3000 JPEG, ${(jpeg.length / 1024 / 1024).toFixed(1)} MB: upload → preview downloaded`,
  );
  await uploadToPreview('scanning off', {}, jpeg);

  const clamd = await startClamd();
  if (!clamd) {
    console.log('  clamd is not installed (apt-get install clamav-daemon): no antivirus figures');
    return;
  }
  try {
    await uploadToPreview('with clamd (INSTREAM scan)', { CLAMAV_URL: clamd.url }, jpeg);
    const scanner = createClamdScanner(clamd.url);
    const big = Buffer.alloc(20 * 1024 * 1024, 0x41);
    const scanStarted = performance.now();
    await scanner.scan(Readable.from([big]));
    const scanMs = Math.round(performance.now() - scanStarted);
    console.log(`  clamd start (test signature database)     ${clamd.startMs} ms to PONG`);
    console.log(`  clamd memory (RSS) after start and scans  ${clamd.rssKiB() ?? '?'} KiB`);
    console.log(`  clamd INSTREAM scan of 20 MB              ${scanMs} ms`);
  } finally {
    await clamd.close();
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await filesBench();
