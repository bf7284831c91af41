import path from 'node:path';
import type { Config } from '../config.js';
import { createLocalBlobStore, type BlobStore } from '../platform/blob-store.js';
import { createClamdScanner, scanningOff, type Scanner } from '../platform/scanner.js';

/** The configured blob store and scanner, chosen here so nothing else branches on the mode. */
export interface FileStorage {
  blobs: BlobStore;
  scanner: Scanner;
  /** Where uploads are received before they are checked. */
  stagingDir: string;
  close(): void;
}

/**
 * S3 when `S3_*` is set, else `DATA_DIR/files`; clamd when `CLAMAV_URL` is set, else off. The S3
 * client (hundreds of modules) is loaded only when S3 is configured.
 */
export async function openFileStorage(config: Config): Promise<FileStorage> {
  const { S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY } = config;
  const s3 =
    S3_ENDPOINT && S3_BUCKET && S3_ACCESS_KEY && S3_SECRET_KEY
      ? (await import('../platform/s3-blob-store.js')).createS3BlobStore({
          endpoint: S3_ENDPOINT,
          bucket: S3_BUCKET,
          accessKey: S3_ACCESS_KEY,
          secretKey: S3_SECRET_KEY,
          region: config.S3_REGION,
        })
      : undefined;
  return {
    blobs: s3 ?? createLocalBlobStore(path.resolve(config.DATA_DIR, 'files')),
    scanner: config.CLAMAV_URL ? createClamdScanner(config.CLAMAV_URL) : scanningOff,
    stagingDir: path.resolve(config.DATA_DIR, 'uploads'),
    close: () => s3?.close(),
  };
}
