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

  it('answers the app’s own paths with index.html, and API paths and missing files with 404', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'ttb-web-'));
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Mini App</title>');
    const app = Fastify();
    await app.register(web, { root });
    const page = { accept: 'text/html,application/xhtml+xml' };
    const deep = await app.inject({ method: 'GET', url: '/tickets/42?x=1', headers: page });
    expect(deep.statusCode).toBe(200);
    expect(deep.headers['cache-control']).toBe('no-cache');
    expect(deep.body).toContain('<title>Mini App</title>');
    for (const url of ['/api/v1/nothing', '/assets/missing.js', '/health/x']) {
      expect((await app.inject({ method: 'GET', url, headers: page })).statusCode).toBe(404);
    }
    expect((await app.inject({ method: 'GET', url: '/tickets/42' })).statusCode).toBe(404);
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
