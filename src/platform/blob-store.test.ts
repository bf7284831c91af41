import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type TestS3Server } from '../../test/s3-server.js';
import { assertSafeKey, createLocalBlobStore, type BlobStore } from './blob-store.js';
import { createS3BlobStore } from './s3-blob-store.js';

async function read(store: BlobStore, key: string, range?: { start: number; end: number }) {
  const stream = await store.get(key, range);
  return stream ? (await buffer(stream)).toString('utf8') : undefined;
}

/** The behaviour every blob store must have, whichever storage is behind it. */
function contract(name: string, open: () => Promise<{ store: BlobStore; close(): Promise<void> }>) {
  describe(`blob store contract: ${name}`, () => {
    let store: BlobStore;
    let close: () => Promise<void>;

    beforeAll(async () => {
      const opened = await open();
      store = opened.store;
      close = () => opened.close();
    });
    afterAll(() => close());

    it('stores a buffer and gives the same bytes back', async () => {
      await store.put('files/a', Buffer.from('hello, world'));
      expect(await read(store, 'files/a')).toBe('hello, world');
      expect(await store.stat('files/a')).toEqual({ size: 12 });
      expect(await store.exists('files/a')).toBe(true);
    });

    it('stores a stream', async () => {
      await store.put('files/b', Readable.from([Buffer.from('one '), Buffer.from('two')]));
      expect(await read(store, 'files/b')).toBe('one two');
    });

    it('reads an inclusive byte range', async () => {
      await store.put('files/c', Buffer.from('0123456789'));
      expect(await read(store, 'files/c', { start: 2, end: 5 })).toBe('2345');
      expect(await read(store, 'files/c', { start: 9, end: 9 })).toBe('9');
    });

    it('replaces a blob written twice', async () => {
      await store.put('previews/d-small.webp', Buffer.from('old'));
      await store.put('previews/d-small.webp', Buffer.from('new!'));
      expect(await read(store, 'previews/d-small.webp')).toBe('new!');
    });

    it('answers undefined for a missing blob and deletes idempotently', async () => {
      expect(await store.get('files/missing')).toBeUndefined();
      expect(await store.stat('files/missing')).toBeUndefined();
      expect(await store.exists('files/missing')).toBe(false);
      await store.put('files/e', Buffer.from('x'));
      await store.delete('files/e');
      await store.delete('files/e');
      expect(await store.exists('files/e')).toBe(false);
    });

    it('keeps an empty blob', async () => {
      await store.put('files/empty', Buffer.alloc(0));
      expect(await read(store, 'files/empty')).toBe('');
      expect(await store.stat('files/empty')).toEqual({ size: 0 });
    });

    it('refuses keys that could reach outside the store', async () => {
      await expect(store.put('../etc/passwd', Buffer.from('x'))).rejects.toThrow(/unsafe/);
      await expect(store.get('files/../../x')).rejects.toThrow(/unsafe/);
    });
  });
}

contract('local files', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ttb-blobs-'));
  return {
    store: createLocalBlobStore(root),
    close: async () => rmSync(root, { recursive: true, force: true }),
  };
});

contract('S3 (s3rver)', async () => {
  const server: TestS3Server = await startS3Server();
  const store = createS3BlobStore(server);
  return {
    store,
    async close() {
      store.close();
      await server.close();
    },
  };
});

describe('S3 blob store', () => {
  it('fails loudly when the bucket does not exist, rather than reporting blobs missing', async () => {
    const server = await startS3Server();
    const store = createS3BlobStore({ ...server, bucket: 'no-such-bucket' });
    try {
      await expect(store.get('files/a')).rejects.toThrow();
      await expect(store.put('files/a', Buffer.from('x'))).rejects.toThrow();
    } finally {
      store.close();
      await server.close();
    }
  });
});

describe('local blob store', () => {
  it('leaves no temporary file behind when the source stream fails', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'ttb-blobs-'));
    const store = createLocalBlobStore(root);
    const failing = new Readable({
      read() {
        this.destroy(new Error('client went away'));
      },
    });
    await expect(store.put('files/f', failing)).rejects.toThrow(/went away/);
    expect(readdirSync(path.join(root, '.tmp'))).toEqual([]);
    expect(await store.exists('files/f')).toBe(false);
    rmSync(root, { recursive: true, force: true });
  });

  it('accepts only plain keys', () => {
    expect(() => assertSafeKey('files/0b7a-x')).not.toThrow();
    expect(() => assertSafeKey('/abs')).toThrow();
    expect(() => assertSafeKey('files/.hidden')).toThrow();
  });
});
