import closeWithGrace from 'close-with-grace';
import { startBot, type RunningBot } from './bot/runtime.js';
import { buildApp } from './http/app.js';
import { startMetricsServer, type MetricsServer } from './http/metrics-server.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createContainer } from './container.js';
import { createLogger, createPrettyLogger } from './platform/logger.js';
import { startWarnings } from './setup/start-warnings.js';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

const config = readConfig();
// People at a terminal get readable lines; anything else (files, collectors) gets JSON.
const pretty = process.stdout.isTTY && config.NODE_ENV === 'development';
const logger =
  (pretty ? await createPrettyLogger(config.LOG_LEVEL) : undefined) ??
  createLogger(config.LOG_LEVEL);
const startedAt = performance.now();

const container = await createContainer(config, logger);
await container.start();
const app = config.ROLES.includes('api') ? await buildApp(container) : undefined;
let bot: RunningBot | undefined;
let metricsServer: MetricsServer | undefined;

// Also called for an unhandled rejection or exception (`err`): reported, then a graceful stop.
closeWithGrace({ delay: 15_000, logger }, async ({ signal, err }) => {
  if (err) {
    logger.error({ err }, 'shutting down after an error');
    container.errors.report(err);
  } else logger.info({ signal }, 'shutting down: draining requests and jobs');
  try {
    await bot?.stop();
    await app?.close();
    await metricsServer?.close();
    await container.close();
  } finally {
    // Reports still on their way (the crash's, the last jobs') leave before the process does.
    await container.errors.flush();
  }
});

if (!config.CLAMAV_URL) logger.warn('antivirus scanning is off: CLAMAV_URL is not set');
if (config.ROLES.includes('bot')) {
  // Said by the process owners talk to, once, rather than by every api replica.
  const { users } = container;
  for (const warning of await startWarnings({ config, users })) {
    logger.warn(warning);
  }
  if (config.TELEGRAM_BOT_TOKEN) bot = await startBot(container);
  else
    logger.info(
      'bot is off: TELEGRAM_BOT_TOKEN is not set (demo mode: demo sign-in from this machine)',
    );
}
// A process without the api role serves its own metrics (the worker's heartbeat, deliveries,
// the bot's updates) on the same port: /metrics and nothing else.
if (!app) {
  metricsServer = await startMetricsServer(container.metrics.registry, {
    port: config.PORT,
    host: config.HOST,
  });
  logger.info({ roles: config.ROLES, port: metricsServer.port }, 'metrics served at /metrics');
}
if (app) {
  const address = await app.listen({ port: config.PORT, host: config.HOST });
  logger.info(
    { roles: config.ROLES, database: container.database.kind, redis: Boolean(config.REDIS_URL) },
    `Telegram Ticket Bot is ready at ${address} in ${Math.round(performance.now() - startedAt)} ms` +
      ` (API docs at ${address}/docs)`,
  );
}
