// The test S3 server (test/s3-server.ts) as a process of its own, for checks that run outside
// Vitest (`.ci/restore-drill` copies its backups there). Prints one JSON line
// `{"endpoint", "bucket", "accessKey", "secretKey", "region"}`, then serves until SIGTERM or
// SIGINT, when it removes what it stored.
//   node --import tsx test/s3-server-process.ts
import { startS3Server } from './s3-server.js';

const s3 = await startS3Server();
const { endpoint, bucket, accessKey, secretKey, region } = s3;
process.stdout.write(`${JSON.stringify({ endpoint, bucket, accessKey, secretKey, region })}\n`);

async function stop(): Promise<void> {
  await s3.close();
  process.exit(0);
}
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
