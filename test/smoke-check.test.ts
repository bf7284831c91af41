import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const smokeCheck = path.join(root, 'deploy', 'smoke-check.sh');
const miniApp = '<div id="root"></div><script type="module" src="/assets/index-a1.js"></script>';

/** What deploy/smoke-check.sh says of the install `handler` stands for. */
async function check(handler: RequestListener): Promise<{ code: number; output: string }> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const { stdout, stderr } = await run(smokeCheck, [url]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

/** Answers like an install: ready, with `page` at `/` and `script` under /assets/. */
const install =
  (page: string, script = 200): RequestListener =>
  (request, response) => {
    if (request.url === '/health/ready') response.writeHead(200).end('{"status":"ok"}');
    else if (request.url === '/')
      response.writeHead(200, { 'content-type': 'text/html' }).end(page);
    else if (request.url === '/assets/index-a1.js' && script === 200)
      response.writeHead(200, { 'content-type': 'text/javascript' }).end('export {};');
    else response.writeHead(script === 200 ? 404 : script).end();
  };

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe('deploy/smoke-check.sh', () => {
  it('passes on an install that is ready and serves the Mini App with its script', async () => {
    expect(await check(install(miniApp))).toMatchObject({ code: 0 });
  });

  it('fails while /health/ready is not 200', async () => {
    const outcome = await check((_request, response) => response.writeHead(503).end());

    expect(outcome.code).toBe(1);
    expect(outcome.output).toContain('/health/ready answered 503, not 200');
  });

  it('fails on the page a server without a built Mini App shows', async () => {
    const landing = readFileSync(path.join(root, 'src', 'http', 'landing.html'), 'utf8');

    const outcome = await check(install(landing));

    expect(outcome.code).toBe(1);
    expect(outcome.output).toContain('serves the fallback page');
  });

  it('fails when the Mini App’s script does not load', async () => {
    const outcome = await check(install(miniApp, 404));

    expect(outcome.code).toBe(1);
    expect(outcome.output).toContain('/assets/index-a1.js answered 404');
  });
});
