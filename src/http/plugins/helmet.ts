import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

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
  connectSrc: ["'self'"],
  workerSrc: ["'self'"],
  manifestSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'self'", 'https://web.telegram.org', 'https://*.telegram.org'],
  upgradeInsecureRequests: null,
};

export default fp(
  async function helmetPlugin(app: FastifyInstance) {
    await app.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy },
      // X-Frame-Options cannot name Telegram Web; frame-ancestors above does the job.
      frameguard: false,
      crossOriginEmbedderPolicy: false,
      crossOriginResourcePolicy: { policy: 'same-origin' },
      referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    });
  },
  { name: 'helmet' },
);
