import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backupsToRemove,
  downloadBackup,
  openBackupBucket,
  parseS3Url,
  uploadBackups,
  type BackupBucket,
} from '../scripts/backup-s3.js';
import { startS3Server, type TestS3Server } from './s3-server.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

let s3: TestS3Server;
let work: string;
beforeAll(async () => {
  s3 = await startS3Server();
  work = mkdtempSync(path.join(os.tmpdir(), 'ttb-backup-s3-'));
});
afterAll(async () => {
  await s3.close();
  rmSync(work, { recursive: true, force: true });
});

/** The environment backup.sh passes on: where the bucket is and who may write to it. */
function envFor(prefix: string): Record<string, string> {
  return {
    BACKUP_S3_URL: `s3://${s3.bucket}/${prefix}`,
    BACKUP_S3_ENDPOINT: s3.endpoint,
    BACKUP_S3_REGION: s3.region,
    AWS_ACCESS_KEY_ID: s3.accessKey,
    AWS_SECRET_ACCESS_KEY: s3.secretKey,
  };
}

/** Writes a file named like a backup of `stamp` into `dir`, with bytes that name it. */
function backupFile(dir: string, name: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `contents of ${name}\n`);
  return file;
}

async function keysUnder(bucket: BackupBucket): Promise<string[]> {
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const listed = await bucket.client.send(
    new ListObjectsV2Command({ Bucket: bucket.bucket, Prefix: bucket.prefix }),
  );
  return (listed.Contents ?? [])
    .map((object) => object.Key ?? '')
    .toSorted((a, b) => a.localeCompare(b, 'en'));
}

describe('parseS3Url', () => {
  it('splits the bucket from the prefix, which always ends in a slash', () => {
    expect(parseS3Url('s3://backups')).toEqual({ bucket: 'backups', prefix: '' });
    expect(parseS3Url('s3://backups/tickets/prod')).toEqual({
      bucket: 'backups',
      prefix: 'tickets/prod/',
    });
    expect(parseS3Url('s3://backups/tickets/')).toEqual({ bucket: 'backups', prefix: 'tickets/' });
  });

  it('refuses anything but s3://bucket[/prefix]', () => {
    expect(() => parseS3Url('https://backups.example.com/x')).toThrow(/s3:\/\/bucket/);
    expect(() => parseS3Url('s3://')).toThrow(/s3:\/\/bucket/);
  });
});

describe('backupsToRemove', () => {
  it('keeps the newest of each kind by their stamps and leaves other names alone', () => {
    const names = [
      'db-20250101T020000Z.dump',
      'db-20250103T020000Z.dump',
      'db-20250102T020000Z.dump',
      'files-20250101T020000Z.tar.gz',
      'files-20250102T020000Z.tar.gz',
      'files-20250103T020000Z.tar.gz',
      'notes.txt',
    ];
    expect(backupsToRemove(names, 2)).toEqual([
      'db-20250101T020000Z.dump',
      'files-20250101T020000Z.tar.gz',
    ]);
    expect(backupsToRemove(names, 5)).toEqual([]);
  });
});

describe('uploadBackups', () => {
  it('puts each file under the prefix with its bytes, then keeps the KEEP newest of each kind', async () => {
    const bucket = openBackupBucket(envFor('upload/'));
    const dir = mkdtempSync(path.join(work, 'local-'));
    try {
      const stranger = path.join(dir, 'notes.txt');
      writeFileSync(stranger, 'not a backup');
      await uploadBackups(bucket, [stranger], 1);
      for (const day of ['01', '02', '03']) {
        await uploadBackups(
          bucket,
          [
            backupFile(dir, `db-202501${day}T020000Z.dump`),
            backupFile(dir, `files-202501${day}T020000Z.tar.gz`),
          ],
          2,
        );
      }
      expect(await keysUnder(bucket)).toEqual([
        'upload/db-20250102T020000Z.dump',
        'upload/db-20250103T020000Z.dump',
        'upload/files-20250102T020000Z.tar.gz',
        'upload/files-20250103T020000Z.tar.gz',
        'upload/notes.txt',
      ]);
    } finally {
      bucket.client.destroy();
    }
  });
});

describe('downloadBackup', () => {
  it('fetches the newest dump and the files archive of the same stamp, or a named stamp', async () => {
    const bucket = openBackupBucket(envFor('download'));
    const local = mkdtempSync(path.join(work, 'local-'));
    try {
      await uploadBackups(
        bucket,
        [
          backupFile(local, 'db-20250101T020000Z.dump'),
          backupFile(local, 'files-20250101T020000Z.tar.gz'),
          backupFile(local, 'db-20250102T020000Z.dump'),
          backupFile(local, 'files-20250102T020000Z.tar.gz'),
        ],
        7,
      );
      const latest = mkdtempSync(path.join(work, 'latest-'));
      expect(await downloadBackup(bucket, 'latest', latest)).toEqual([
        path.join(latest, 'db-20250102T020000Z.dump'),
        path.join(latest, 'files-20250102T020000Z.tar.gz'),
      ]);
      expect(readFileSync(path.join(latest, 'db-20250102T020000Z.dump'), 'utf8')).toBe(
        'contents of db-20250102T020000Z.dump\n',
      );
      const named = mkdtempSync(path.join(work, 'named-'));
      await downloadBackup(bucket, '20250101T020000Z', named);
      expect(readdirSync(named).toSorted((a, b) => a.localeCompare(b, 'en'))).toEqual([
        'db-20250101T020000Z.dump',
        'files-20250101T020000Z.tar.gz',
      ]);
      await expect(downloadBackup(bucket, '20240101T000000Z', named)).rejects.toThrow(
        /no database backup 20240101T000000Z under s3:\/\/ttb-test\/download\//,
      );
    } finally {
      bucket.client.destroy();
    }
  });
});

describe('scripts/backup-s3.ts', () => {
  it('uploads and downloads from the command line, as backup.sh calls it', async () => {
    // The machine's clock as this process sees it (CI moves it with libfaketime, whose settings
    // are in the environment): S3 refuses a request signed more than 15 minutes off its own time.
    const clock = Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] =>
          /^(LD_PRELOAD|FAKETIME.*|TZ)$/.test(entry[0]) && entry[1] !== undefined,
      ),
    );
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...clock,
      ...envFor('cli'),
    };
    const script = ['--import', 'tsx', 'scripts/backup-s3.ts'];
    const local = mkdtempSync(path.join(work, 'local-'));
    const dump = backupFile(local, 'db-20250101T020000Z.dump');
    const upload = await run(process.execPath, [...script, 'upload', '--keep', '3', dump], {
      cwd: root,
      env,
    });
    expect(upload.stdout).toContain(`s3://${s3.bucket}/cli/db-20250101T020000Z.dump`);
    const into = mkdtempSync(path.join(work, 'cli-'));
    await run(process.execPath, [...script, 'download', into], { cwd: root, env });
    expect(readdirSync(into)).toEqual(['db-20250101T020000Z.dump']);

    const refused = run(process.execPath, [...script, 'upload', dump], {
      cwd: root,
      env: { ...env, BACKUP_S3_URL: 'backups/cli' },
    });
    await expect(refused).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/BACKUP_S3_URL must look like s3:\/\/bucket/),
    });
  });
});
