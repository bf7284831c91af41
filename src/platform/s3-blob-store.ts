import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { assertSafeKey, type BlobStore } from './blob-store.js';

/** Where the S3 adapter stores: an S3-compatible endpoint and one bucket. */
export interface S3BlobStoreOptions {
  endpoint: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  region: string;
}

/** A missing object (GET says NoSuchKey, HEAD a bare 404); a missing bucket is a real error. */
function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.name === 'NotFound')
  );
}

/**
 * Blobs in an S3-compatible bucket (`S3_*`). Path-style addressing, so MinIO, Ceph, s3rver and
 * the like work as well as AWS. An object appears only when its upload completes.
 */
export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore & { close(): void } {
  const client = new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: true,
    credentials: { accessKeyId: options.accessKey, secretAccessKey: options.secretKey },
  });
  const Bucket = options.bucket;

  return {
    kind: 's3',

    async put(key, body) {
      assertSafeKey(key);
      // A single PUT needs the length up front; our blobs are at most 20 MB, so buffering is fine.
      const bytes = Buffer.isBuffer(body) ? body : await buffer(body);
      await client.send(
        new PutObjectCommand({ Bucket, Key: key, Body: bytes, ContentLength: bytes.length }),
      );
    },

    async get(key, range) {
      assertSafeKey(key);
      try {
        const reply = await client.send(
          new GetObjectCommand({
            Bucket,
            Key: key,
            ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          }),
        );
        return reply.Body instanceof Readable ? reply.Body : Readable.from([]);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    async delete(key) {
      assertSafeKey(key);
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },

    async exists(key) {
      return (await this.stat(key)) !== undefined;
    },

    async stat(key) {
      assertSafeKey(key);
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { size: head.ContentLength ?? 0 };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    close() {
      client.destroy();
    },
  };
}
