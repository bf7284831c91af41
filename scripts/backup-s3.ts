/**
 * Copies the backups deploy/backup.sh writes to an S3 bucket, keeps the newest there, and fetches
 * them back for a restore (docs/operations.md, "Backups and restore"). Uses the project's own
 * @aws-sdk/client-s3, so no aws CLI is needed.
 *
 *   node --import tsx scripts/backup-s3.ts upload [--keep KEEP] FILE...
 *   node --import tsx scripts/backup-s3.ts download [--stamp STAMP] DIR
 *
 * Environment:
 *   BACKUP_S3_URL        s3://bucket/prefix where the backups go (required)
 *   BACKUP_S3_ENDPOINT   an S3-compatible endpoint (MinIO, Ceph…); unset for AWS itself
 *   BACKUP_S3_REGION     default: AWS_REGION, else us-east-1
 *   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (or any other way the AWS SDK finds credentials)
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** A bucket and the prefix (empty, or ending in `/`) the backups live under. */
export interface BackupLocation {
  bucket: string;
  prefix: string;
}

/** Where backups go, with the client that reaches it. */
export interface BackupBucket extends BackupLocation {
  client: S3Client;
}

/** Names backup.sh gives: the kind, then the UTC stamp that sorts by time. */
const backupName = /^(db|files)-(\d{8}T\d{6}Z)\.(dump|tar\.gz)$/;

/** Backup names differ only in their ASCII stamps, which sort by time. */
const byName = (a: string, b: string) => a.localeCompare(b, 'en');

/** A single PUT takes at most 5 GiB; larger files would need a multipart upload. */
const maxSinglePut = 5 * 2 ** 30;

/** `s3://bucket/some/prefix` → `{ bucket, prefix: 'some/prefix/' }`. */
export function parseS3Url(url: string): BackupLocation {
  const found = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url);
  if (!found?.[1]) throw new Error(`BACKUP_S3_URL must look like s3://bucket/prefix, not '${url}'`);
  const prefix = found[2] ?? '';
  return {
    bucket: found[1],
    prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
  };
}

/** The bucket `BACKUP_S3_*` names, with a client for it. */
export function openBackupBucket(env: NodeJS.ProcessEnv): BackupBucket {
  if (!env.BACKUP_S3_URL) throw new Error('BACKUP_S3_URL is not set');
  const location = parseS3Url(env.BACKUP_S3_URL);
  const client = new S3Client({
    region: env.BACKUP_S3_REGION || env.AWS_REGION || 'us-east-1',
    // Path-style for other S3 servers (as src/platform/s3-blob-store.ts does); AWS picks its own.
    ...(env.BACKUP_S3_ENDPOINT ? { endpoint: env.BACKUP_S3_ENDPOINT, forcePathStyle: true } : {}),
    // Keys from `env` when it has them; otherwise the SDK's own search (profiles, instance roles).
    ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            sessionToken: env.AWS_SESSION_TOKEN,
          },
        }
      : {}),
  });
  return { ...location, client };
}

/** Names of backups beyond the `keep` newest of each kind; other names are never removed. */
export function backupsToRemove(names: string[], keep: number): string[] {
  const byKind = new Map<string, string[]>();
  for (const name of names) {
    const kind = backupName.exec(name)?.[1];
    if (kind) byKind.set(kind, [...(byKind.get(kind) ?? []), name]);
  }
  return [...byKind.values()].flatMap((found) => found.toSorted(byName).slice(0, -keep));
}

/** Every object name directly under the prefix (all pages). */
async function listNames(target: BackupBucket): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await target.client.send(
      new ListObjectsV2Command({
        Bucket: target.bucket,
        Prefix: target.prefix,
        Delimiter: '/',
        ContinuationToken: token,
      }),
    );
    for (const object of page.Contents ?? []) names.push(object.Key!.slice(target.prefix.length));
    token = page.NextContinuationToken;
  } while (token);
  return names;
}

const urlOf = (target: BackupLocation, name: string) =>
  `s3://${target.bucket}/${target.prefix}${name}`;

/**
 * Uploads `files` under the prefix by their own names, checks the stored sizes, then removes
 * the bucket's backups beyond the `keep` newest of each kind. Returns the URLs written.
 */
export async function uploadBackups(
  target: BackupBucket,
  files: string[],
  keep: number,
): Promise<string[]> {
  const written: string[] = [];
  for (const file of files) {
    const size = statSync(file).size;
    if (size > maxSinglePut) throw new Error(`${file} is over 5 GiB, more than one PUT takes`);
    const Key = target.prefix + path.basename(file);
    // A checksum given up front is sent as a header, which the bucket verifies; without it the
    // SDK streams with a trailing checksum (aws-chunked), which some S3 servers store verbatim.
    const sha256 = createHash('sha256');
    await pipeline(createReadStream(file), sha256);
    await target.client.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key,
        Body: createReadStream(file),
        ContentLength: size,
        ChecksumSHA256: sha256.digest('base64'),
      }),
    );
    const stored = await target.client.send(new HeadObjectCommand({ Bucket: target.bucket, Key }));
    if (stored.ContentLength !== size) {
      throw new Error(
        `${urlOf(target, path.basename(file))} holds ${stored.ContentLength} bytes, not ${size}`,
      );
    }
    written.push(urlOf(target, path.basename(file)));
  }
  const excess = backupsToRemove(await listNames(target), keep);
  if (excess.length > 0) {
    const reply = await target.client.send(
      new DeleteObjectsCommand({
        Bucket: target.bucket,
        Delete: { Objects: excess.map((name) => ({ Key: target.prefix + name })) },
      }),
    );
    // The bucket answers 200 even when it kept some objects; each refusal is listed.
    const refused = (reply.Errors ?? []).map((error) => `${error.Key}: ${error.Message}`);
    if (refused.length > 0) throw new Error(`old backups not removed: ${refused.join('; ')}`);
  }
  return written;
}

/**
 * Downloads the database dump of `stamp` (`latest`: the newest) and, when there is one, the
 * files archive of the same stamp into `dir`. Returns the paths written.
 */
export async function downloadBackup(
  target: BackupBucket,
  stamp: string,
  dir: string,
): Promise<string[]> {
  const names = await listNames(target);
  const dumps = names.filter((name) => backupName.exec(name)?.[1] === 'db').toSorted(byName);
  const dump =
    stamp === 'latest' ? dumps.at(-1) : dumps.find((name) => name.includes(`-${stamp}.`));
  if (!dump) {
    throw new Error(`no database backup ${stamp} under s3://${target.bucket}/${target.prefix}`);
  }
  const archive = `files-${backupName.exec(dump)![2]}.tar.gz`;
  const wanted = names.includes(archive) ? [dump, archive] : [dump];
  const written: string[] = [];
  for (const name of wanted) {
    const file = path.join(dir, name);
    const reply = await target.client.send(
      new GetObjectCommand({ Bucket: target.bucket, Key: target.prefix + name }),
    );
    if (!(reply.Body instanceof Readable)) throw new Error(`${urlOf(target, name)} has no body`);
    // Under a temporary name until complete, as backup.sh writes.
    await pipeline(reply.Body, createWriteStream(`${file}.partial`, { mode: 0o600 }));
    await rename(`${file}.partial`, file);
    written.push(file);
  }
  return written;
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      keep: { type: 'string', default: '7' },
      stamp: { type: 'string', default: 'latest' },
    },
  });
  const [command, ...rest] = positionals;
  const keep = Number(values.keep);
  if (!Number.isInteger(keep) || keep < 1)
    throw new Error(`--keep must be at least 1, not '${values.keep}'`);
  if (command === 'upload' && rest.length > 0) {
    const target = openBackupBucket(process.env);
    try {
      for (const url of await uploadBackups(target, rest, keep)) console.log(`uploaded: ${url}`);
    } finally {
      target.client.destroy();
    }
  } else if (command === 'download' && rest.length === 1) {
    const target = openBackupBucket(process.env);
    try {
      for (const file of await downloadBackup(target, values.stamp, rest[0]!)) {
        console.log(`downloaded: ${file}`);
      }
    } finally {
      target.client.destroy();
    }
  } else {
    throw new Error(
      'usage: backup-s3.ts upload [--keep KEEP] FILE... | download [--stamp STAMP] DIR',
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`backup-s3: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
