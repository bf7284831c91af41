import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import web from './web.js';

describe('the web plugin', () => {
  it('serves the built Mini App when there is one', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'ttb-web-'));
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Mini App</title>');
    const app = Fastify();
    await app.register(web, { root });
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<title>Mini App</title>');
    await app.close();
  });

  it('serves a page pointing at the API docs until the Mini App is built', async () => {
    const app = Fastify();
    await app.register(web, { root: path.join(os.tmpdir(), 'ttb-no-such-dir') });
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('href="/docs"');
    await app.close();
  });
});
