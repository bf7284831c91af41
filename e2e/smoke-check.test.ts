import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Server } from './harness.js';

const run = promisify(execFile);
const smokeCheck = path.resolve(import.meta.dirname, '..', 'deploy', 'smoke-check.sh');

// No browser needed: deploy/smoke-check.sh asks with curl what a deploy must serve.
describe('deploy/smoke-check.sh against a real server', () => {
  let server: Server;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server.stop();
  });

  it('passes on a server that is ready and serves the built Mini App', async () => {
    const { stdout } = await run(smokeCheck, [server.url]);

    expect(stdout).toContain(`${server.url}/health/ready: 200 {"status":"ok"`);
    expect(stdout).toMatch(/serves the Mini App \(\/assets\/[^)]+\.js\)/);
  });
});
