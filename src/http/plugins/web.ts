import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** The folder holding package.json, whether we run from src/ (tsx) or dist/src/ (build). */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) {
    dir = path.dirname(dir);
  }
  return dir;
}

const webDist = path.join(projectRoot(), 'web', 'dist');
const landingPage = fileURLToPath(new URL('../landing.html', import.meta.url));

/**
 * Serves the Mini App's built files at `/` when `web/dist` exists; until then, a short page
 * that says what is running and where the API documentation is.
 */
export default fp(
  async function webPlugin(app: FastifyInstance, options: { root?: string }) {
    const root = options.root ?? webDist;
    if (existsSync(path.join(root, 'index.html'))) {
      await app.register(fastifyStatic, { root, wildcard: false, maxAge: '1h' });
      return;
    }
    const html = readFileSync(landingPage, 'utf8');
    app.get('/', { schema: { hide: true } }, (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(html),
    );
  },
  { name: 'web' },
);
