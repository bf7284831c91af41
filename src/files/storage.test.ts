import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { openFileStorage } from './storage.js';

describe('openFileStorage', () => {
  it('uses local files and no scanner by default', async () => {
    const dataDir = path.join(os.tmpdir(), 'ttb-storage-test');
    const storage = await openFileStorage(loadConfig({ DATA_DIR: dataDir }));
    expect([storage.blobs.kind, storage.scanner.enabled]).toEqual(['local', false]);
    expect(storage.stagingDir).toBe(path.join(dataDir, 'uploads'));
    storage.close();
  });

  it('uses S3 and clamd when configured', async () => {
    const storage = await openFileStorage(
      loadConfig({
        S3_ENDPOINT: 'http://127.0.0.1:9000',
        S3_BUCKET: 'b',
        S3_ACCESS_KEY: 'k',
        S3_SECRET_KEY: 's',
        CLAMAV_URL: 'tcp://127.0.0.1:3310',
      }),
    );
    expect([storage.blobs.kind, storage.scanner.enabled]).toEqual(['s3', true]);
    storage.close();
  });
});
