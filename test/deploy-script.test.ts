import { execFile } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const deployDir = path.resolve(import.meta.dirname, '..', 'deploy');

/**
 * A stand-in for `docker` on the host: it logs every call, pulls nothing of an image whose name
 * says `missing` (as Compose, which only warns when it could build the image instead), and on
 * `compose up` records the TTB_IMAGE of .env as the running image.
 */
const fakeDocker = `#!/usr/bin/env bash
echo "$*" >>"$FAKE_DOCKER_LOG"
image=$(sed -n 's/^TTB_IMAGE=//p' .env | tail -n 1)
case "$1 $2" in
  "compose pull") ;;
  "image inspect") case "$3" in *missing*) exit 1 ;; esac ;;
  "compose up") printf '%s' "$image" >"$FAKE_RUNNING" ;;
  *) exit 1 ;;
esac
`;

interface Outcome {
  code: number;
  output: string;
}

/** A host folder as deploy/deploy.sh finds it, with a fake docker and a fake install to check. */
describe('deploy/deploy.sh', () => {
  let dir: string;
  let host: string;
  let server: Server;
  let url: string;
  const running = () => readFileSync(path.join(dir, 'running'), 'utf8');
  const hostFile = (name: string) => readFileSync(path.join(host, name), 'utf8');
  const dockerCalls = () => readFileSync(path.join(dir, 'docker.log'), 'utf8').trim().split('\n');

  async function deploy(...args: string[]): Promise<Outcome> {
    try {
      const { stdout, stderr } = await run('bash', [path.join(host, 'deploy.sh'), ...args], {
        env: {
          ...process.env,
          PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? ''}`,
          FAKE_DOCKER_LOG: path.join(dir, 'docker.log'),
          FAKE_RUNNING: path.join(dir, 'running'),
          SMOKE_WAIT: '1',
        },
      });
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, output: failed.stdout + failed.stderr };
    }
  }

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ttb-deploy-'));
    host = path.join(dir, 'host');
    mkdirSync(host);
    for (const file of ['deploy.sh', 'smoke-check.sh', 'docker-compose.yml']) {
      copyFileSync(path.join(deployDir, file), path.join(host, file));
    }
    chmodSync(path.join(host, 'smoke-check.sh'), 0o755);
    mkdirSync(path.join(dir, 'bin'));
    writeFileSync(path.join(dir, 'bin', 'docker'), fakeDocker, { mode: 0o755 });
    writeFileSync(path.join(dir, 'running'), '');

    // The install: ready and serving the Mini App unless the running image's name says `broken`.
    server = createServer((request, response) => {
      const broken = running().includes('broken');
      if (request.url === '/health/ready') {
        response.writeHead(broken ? 503 : 200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: broken ? 'unavailable' : 'ok' }));
      } else if (request.url === '/' && !broken) {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end(
          '<div id="root"></div><script type="module" src="/assets/index-a1.js"></script>',
        );
      } else if (request.url === '/assets/index-a1.js' && !broken) {
        response.writeHead(200, { 'content-type': 'text/javascript' });
        response.end('export {};');
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    writeFileSync(path.join(host, '.env'), `PUBLIC_URL=${url}\nPOSTGRES_PASSWORD=secret\n`);
  });

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('deploys an image that passes the smoke check and keeps it as the last good one', async () => {
    const outcome = await deploy('ghcr.io/acme/ttb:aaa111');

    expect(outcome).toMatchObject({ code: 0 });
    expect(outcome.output).toContain('ghcr.io/acme/ttb:aaa111 is deployed');
    expect(running()).toBe('ghcr.io/acme/ttb:aaa111');
    expect(hostFile('.last-good-tag')).toBe('ghcr.io/acme/ttb:aaa111\n');
    // The operator's settings stay; TTB_IMAGE is what a later `docker compose up -d` runs.
    expect(hostFile('.env')).toBe(
      `PUBLIC_URL=${url}\nPOSTGRES_PASSWORD=secret\nTTB_IMAGE=ghcr.io/acme/ttb:aaa111\n`,
    );
    expect(dockerCalls()).toEqual([
      'compose pull api worker',
      'image inspect ghcr.io/acme/ttb:aaa111',
      'compose up -d --no-build',
    ]);
  });

  it('rolls back to the last good image when the new one fails the smoke check', async () => {
    await deploy('ghcr.io/acme/ttb:aaa111');

    const outcome = await deploy('ghcr.io/acme/ttb:broken222');

    expect(outcome.code).toBe(1);
    expect(outcome.output).toContain('/health/ready answered 503');
    expect(outcome.output).toContain(
      'ghcr.io/acme/ttb:broken222 failed; rolled back to ghcr.io/acme/ttb:aaa111, which passes the smoke check',
    );
    expect(running()).toBe('ghcr.io/acme/ttb:aaa111');
    expect(hostFile('.env')).toContain('TTB_IMAGE=ghcr.io/acme/ttb:aaa111\n');
    expect(hostFile('.env')).not.toContain('broken222');
    expect(hostFile('.last-good-tag')).toBe('ghcr.io/acme/ttb:aaa111\n');
    expect(hostFile('.deploy-history')).toBe('ghcr.io/acme/ttb:aaa111\n');
  });

  it('leaves the running stack alone when the image cannot be pulled', async () => {
    await deploy('ghcr.io/acme/ttb:aaa111');

    const outcome = await deploy('ghcr.io/acme/ttb:missing333');

    expect(outcome.code).toBe(1);
    expect(outcome.output).toContain('could not pull ghcr.io/acme/ttb:missing333');
    expect(dockerCalls().filter((call) => call.startsWith('compose up'))).toHaveLength(1);
    expect(hostFile('.env')).toContain('TTB_IMAGE=ghcr.io/acme/ttb:aaa111\n');
  });

  it('says so when a first deploy fails, with nothing to go back to', async () => {
    const outcome = await deploy('ghcr.io/acme/ttb:broken111');

    expect(outcome.code).toBe(1);
    expect(outcome.output).toContain('there is no earlier good image to go back to');
  });

  it('stays on the current image when the one a rollback goes back to fails the smoke check', async () => {
    await deploy('ghcr.io/acme/ttb:aaa111');
    await deploy('ghcr.io/acme/ttb:bbb222');
    // The earlier image no longer works (say, against the migrated schema).
    const history = path.join(host, '.deploy-history');
    writeFileSync(history, 'ghcr.io/acme/ttb:broken111\nghcr.io/acme/ttb:bbb222\n');

    const back = await deploy('--rollback');

    expect(back.code).toBe(1);
    expect(back.output).toContain(
      'ghcr.io/acme/ttb:broken111 fails the smoke check: back on ghcr.io/acme/ttb:bbb222',
    );
    expect(running()).toBe('ghcr.io/acme/ttb:bbb222');
    expect(hostFile('.env')).toContain('TTB_IMAGE=ghcr.io/acme/ttb:bbb222\n');
    expect(hostFile('.last-good-tag')).toBe('ghcr.io/acme/ttb:bbb222\n');
  });

  it('goes back by hand to the good image before the current one, once per earlier deploy', async () => {
    await deploy('ghcr.io/acme/ttb:aaa111');
    await deploy('ghcr.io/acme/ttb:bbb222');
    expect(running()).toBe('ghcr.io/acme/ttb:bbb222');

    const back = await deploy('--rollback');

    expect(back).toMatchObject({ code: 0 });
    expect(running()).toBe('ghcr.io/acme/ttb:aaa111');
    expect(hostFile('.last-good-tag')).toBe('ghcr.io/acme/ttb:aaa111\n');
    const again = await deploy('--rollback');
    expect(again.code).toBe(1);
    expect(again.output).toContain('no good image before ghcr.io/acme/ttb:aaa111');
    expect(running()).toBe('ghcr.io/acme/ttb:aaa111');
  });
});
