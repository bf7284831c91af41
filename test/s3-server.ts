import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

/** A running S3-compatible server (s3rver, pure JavaScript from npm) with one empty bucket. */
export interface TestS3Server {
  endpoint: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  region: string;
  close(): Promise<void>;
}

/** Starts s3rver on a free loopback port, storing in its own temporary directory. */
export async function startS3Server(): Promise<TestS3Server> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'ttb-s3-'));
  const bucket = 'ttb-test';
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    // s3rver accepts this fixed pair of credentials.
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    region: 'us-east-1',
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
