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
/** Paths that are never pages of the Mini App. */
const spaExcluded = /^\/(api|health|metrics|docs|openapi\.json|telegram)(\/|$)/;

const landingPage = fileURLToPath(new URL('../landing.html', import.meta.url));

/**
 * Serves the Mini App's built files at `/` when `web/dist` exists; until then, a short page
 * that says what is running and where the API documentation is.
 */
export default fp(
  async function webPlugin(app: FastifyInstance, options: { root?: string }) {
    const root = options.root ?? webDist;
    if (existsSync(path.join(root, 'index.html'))) {
      await app.register(fastifyStatic, {
        root,
        wildcard: false,
        // The build writes .br and .gz next to each file; they go to clients that take them.
        preCompressed: true,
        // Hashed bundles never change; the page and the service worker must be fetched fresh.
        setHeaders(reply, file) {
          const hashed = file.includes(`${path.sep}assets${path.sep}`);
          reply.header(
            'cache-control',
            hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
          );
        },
      });
      // The app's own paths (/tickets/…, /new) are routes of the single-page app: any other GET
      // that asks for a page gets index.html; API paths and files keep their 404.
      app.get('/*', { schema: { hide: true } }, (request, reply) => {
        const url = request.url.split('?')[0] ?? '';
        const wantsPage = (request.headers.accept ?? '').includes('text/html');
        if (!wantsPage || spaExcluded.test(url) || path.extname(url) !== '') {
          return reply.callNotFound();
        }
        return reply.sendFile('index.html');
      });
      return;
    }
    const html = readFileSync(landingPage, 'utf8');
    app.get('/', { schema: { hide: true } }, (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(html),
    );
  },
  { name: 'web' },
);
