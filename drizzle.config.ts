import { defineConfig } from 'drizzle-kit';

/** drizzle-kit only generates SQL here; the application applies it at start-up. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './src/db/migrations',
});
