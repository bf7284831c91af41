// `npm run db:migrate`: applies pending migrations and exits (start-up does the same).
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../platform/logger.js';
import { configuredTarget, openDatabase } from './client.js';
import { migrateDatabase } from './migrate.js';

try {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const database = await openDatabase(configuredTarget(config), logger);
  await migrateDatabase(database);
  await database.close();
  logger.info({ database: database.kind }, 'migrations applied');
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
