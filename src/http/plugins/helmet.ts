import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet from 'helmet';

/** A Host header that is a plain host name or address with an optional port, nothing else. */
const plainHost = /^(?:[a-z\d.-]+|\[[\da-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The WebSocket origins of the host the page came from (`ws://host wss://host`): CSP 3 lets
 * `'self'` cover them, but older WebViews (Safari before 15.4, old Android System WebView) do
 * not, and the Mini App's live updates use `/api/v1/ws` on the same host.
 */
export function sameOriginSockets(request: IncomingMessage): string {
  const host = request.headers.host ?? '';
  return plainHost.test(host) ? `ws://${host} wss://${host}` : "'self'";
}

/**
 * Security headers with a Content-Security-Policy fit for a Telegram Mini App: our own scripts
 * only (the Mini Apps SDK is bundled, no CDN), Telegram's avatars as images, and framing
 * allowed for Telegram Web, which shows Mini Apps in an iframe.
 */
export const contentSecurityPolicy = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: [
    "'self'",
    'data:',
    'blob:',
    'https://t.me',
    'https://*.telegram.org',
    'https://*.telesco.pe',
  ],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'", sameOriginSockets],
  workerSrc: ["'self'"],
  manifestSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'self'", 'https://web.telegram.org', 'https://*.telegram.org'],
  upgradeInsecureRequests: null,
};

/** A year, subdomains included: what helmet sends by default. */
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Helmet's middleware, made once: @fastify/helmet made it anew for every request (its options
 * parsed and the CSP directives compiled each time, a sixteenth of what a cached `GET
 * /categories` cost; bench/load.ts), for route options this API does not use. What varies per
 * request is only `connect-src`'s host, which the directive's function reads.
 */
const securityHeaders = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy },
  // X-Frame-Options cannot name Telegram Web; frame-ancestors above does the job.
  frameguard: false,
  crossOriginEmbedderPolicy: false,
  crossOriginResourcePolicy: { policy: 'same-origin' },
  referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  // Sent below, on HTTPS requests only.
  strictTransportSecurity: false,
});

export default fp(
  function helmetPlugin(app: FastifyInstance) {
    app.addHook('onRequest', (request, reply, done) => {
      // HSTS means nothing over plain HTTP (RFC 6797 §7.2 says not to send it there), and sent
      // on a plain-HTTP deployment it would tell a browser that later reaches the same host
      // over HTTPS to refuse plain HTTP for a year. Behind a proxy, `request.protocol` is its
      // X-Forwarded-Proto when TRUST_PROXY trusts it.
      if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
      securityHeaders(request.raw, reply.raw, (error?: unknown) => {
        done(error instanceof Error ? error : undefined);
      });
    });
  },
  { name: 'helmet' },
);
