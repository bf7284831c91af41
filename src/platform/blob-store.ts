import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** An inclusive byte range, as HTTP `Range: bytes=start-end` names it. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Where files' bytes live: local files or S3-compatible storage, behind one port. */
export interface BlobStore {
  /** Which adapter this is, for logs. */
  readonly kind: 'local' | 's3';
  /** Stores the bytes under `key`, replacing what was there; readers never see a partial blob. */
  put(key: string, body: Readable | Buffer): Promise<void>;
  /** The bytes of `key` (only `range` of them when given); undefined when there is no such blob. */
  get(key: string, range?: ByteRange): Promise<Readable | undefined>;
  /** Removes `key`; removing a missing blob is not an error. */
  delete(key: string): Promise<void>;
  /** True when a blob is stored under `key`. */
  exists(key: string): Promise<boolean>;
  /** The blob's size in bytes, undefined when there is none. */
  stat(key: string): Promise<{ size: number } | undefined>;
}

/** Keys are ours (`files/<uuid>`), but a bad one must never reach outside the root. */
export function assertSafeKey(key: string): void {
  if (!/^[\w-]+(\/[\w.-]+)*$/.test(key) || key.split('/').some((part) => part.startsWith('.'))) {
    throw new Error(`unsafe blob key: ${key}`);
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Blobs as files under `root` (`DATA_DIR/files`). Each write goes to a temporary file first and
 * is renamed into place, so a crash or a failed upload never leaves a partial blob.
 */
export function createLocalBlobStore(root: string): BlobStore {
  const tmpDir = path.join(root, '.tmp');
  const fileOf = (key: string) => {
    assertSafeKey(key);
    return path.join(root, ...key.split('/'));
  };

  return {
    kind: 'local',

    async put(key, body) {
      const target = fileOf(key);
      await mkdir(tmpDir, { recursive: true });
      await mkdir(path.dirname(target), { recursive: true });
      const temp = path.join(tmpDir, randomUUID());
      // The file is made before anything is written: a write stream opens its file in the
      // background, and a source that failed at once had the file appear after the clean-up below.
      const file = await open(temp, 'wx');
      try {
        await pipeline(
          Buffer.isBuffer(body) ? Readable.from([body]) : body,
          file.createWriteStream(),
        );
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },

    async get(key, range) {
      const file = fileOf(key);
      const size = (await stat(file).catch(() => undefined))?.size;
      if (size === undefined) return undefined;
      // An empty file has no byte to start at; a stream of nothing is what it holds.
      if (size === 0) return Readable.from([]);
      return createReadStream(file, range ? { start: range.start, end: range.end } : {});
    },

    async delete(key) {
      await rm(fileOf(key), { force: true });
    },

    async exists(key) {
      return (await this.stat(key)) !== undefined;
    },

    async stat(key) {
      try {
        const info = await stat(fileOf(key));
        return info.isFile() ? { size: info.size } : undefined;
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
  };
}
