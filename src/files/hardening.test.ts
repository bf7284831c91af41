import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import sharp from 'sharp';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { startS3Server } from '../../test/s3-server.js';
import {
  attachmentRequests,
  filesUnder,
  multipartBody,
  pdfBytes,
  pngBytes,
  gifDeclaring,
  pngDeclaring,
  type Attachment,
} from '../../test/multipart.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import { attachments } from '../db/schema.js';
import { createLocalBlobStore } from '../platform/blob-store.js';
import { createS3BlobStore } from '../platform/s3-blob-store.js';
import { scanningOff } from '../platform/scanner.js';
import { createFileUrls } from './file-urls.js';
import { createFileService, maxPendingUploads } from './service.js';

/** A multipart body written by hand, for shapes a browser's FormData would not send. */
function rawMultipart(parts: string[], boundary = 'b0undary') {
  const body = parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('') + `--${boundary}--\r\n`;
  return {
    payload: Buffer.from(body),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** An animated GIF of `frames` alternating frames. */
async function animatedGif(frames: number, size = 40): Promise<Buffer> {
  const still = await Promise.all(
    ['#000', '#fff'].map((background) =>
      sharp({ create: { width: size, height: size, channels: 3, background } })
        .png()
        .toBuffer(),
    ),
  );
  const pages = Array.from({ length: frames }, (_, i) => still[i % 2] ?? Buffer.alloc(0));
  return sharp(pages, { join: { animated: true } })
    .gif()
    .toBuffer();
}

describe('attachments under attack', () => {
  let t: TestApp;
  let author: Person;
  let other: Person;
  let agent: Person;
  let admin: Person;
  let category: string;
  let ticket: string;

  const { send, upload, uploadOne, get, stored } = attachmentRequests(() => t);

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '100000', UPLOAD_RATE_LIMIT: '1000' } });
    author = await signInAs(t, 'user');
    other = await signInAs(t, 'user');
    agent = await signInAs(t, 'agent');
    admin = await signInAs(t, 'admin');
    category = await addCategory(t);
    ticket = (await openTicket(t, author, category)).id;
  });
  afterAll(() => t.close());

  describe('signed links', () => {
    it('a preview’s signature does not open the original file', async () => {
      const item = await uploadOne(author, '/attachments', {
        name: 'p.png',
        bytes: await pngBytes(),
      });
      const preview = new URL(item.preview_url ?? '', 'http://x');
      expect((await get(`${preview.pathname}${preview.search}`)).statusCode).toBe(200);
      const original = `/api/v1/files/${item.id}${preview.search}`;
      expect((await get(original)).statusCode).toBe(401);
      const file = new URL(item.url, 'http://x');
      expect((await get(`${file.pathname}/preview${file.search}`)).statusCode).toBe(401);
    });
  });

  describe('unattached uploads', () => {
    it('caps the files one person keeps waiting to be attached (409), to a ticket too', async () => {
      const hoarder = await signInAs(t, 'user');
      const hoarderTicket = (await openTicket(t, hoarder, category)).id;
      const waiting = await uploadOne(hoarder, '/attachments', {
        name: 'a.png',
        bytes: await pngBytes(),
      });
      const [row] = await t.container.database.db
        .select()
        .from(attachments)
        .where(eq(attachments.id, waiting.id));
      if (!row) throw new Error('upload row missing');
      // Copies of that upload (new ids) fill the caller's allowance.
      await t.container.database.db
        .insert(attachments)
        .values(Array.from({ length: maxPendingUploads - 1 }, () => ({ ...row, id: uuidv7() })));
      const refused = await upload(hoarder, '/attachments', [
        { name: 'b.png', bytes: await pngBytes() },
      ]);
      expect(refused.statusCode).toBe(409);
      expect(refused.json<{ code: string }>().code).toBe('too_many_pending_uploads');
      await uploadOne(other, '/attachments', { name: 'c.png', bytes: await pngBytes() });
      const toTicket = await upload(hoarder, `/tickets/${hoarderTicket}/attachments`, [
        { name: 'd.png', bytes: await pngBytes() },
      ]);
      expect(toTicket.statusCode).toBe(409);
    });
  });

  describe('images', () => {
    it('refuses a PNG declaring 50000×50000 pixels with 413, keeping nothing', async () => {
      const before = stored().length;
      const response = await upload(author, '/attachments', [
        { name: 'bomb.png', bytes: pngDeclaring(50_000, 50_000) },
      ]);
      expect(response.statusCode, response.body).toBe(413);
      expect(response.json()).toMatchObject({ code: 'image_too_large' });
      expect(stored()).toHaveLength(before);
    });

    it('refuses an animated GIF whose frames add up to too many pixels', async () => {
      // 60 frames of 1000×1000 are 60 megapixels to decode, in a file of about a kilobyte.
      const before = stored().length;
      const response = await upload(author, '/attachments', [
        { name: 'long.gif', bytes: gifDeclaring(60, 1000) },
      ]);
      expect(response.statusCode, response.body).toBe(413);
      expect(response.json()).toMatchObject({ code: 'image_too_large' });
      expect(stored()).toHaveLength(before);
    });

    it('keeps a GIF’s animation, previewing its first frame', async () => {
      const item = await uploadOne(author, '/attachments', {
        name: 'wave.gif',
        bytes: await animatedGif(6),
      });
      const served = await get(item.url);
      expect((await sharp(served.rawPayload).metadata()).pages).toBe(6);
      const preview = await get(item.preview_url ?? '');
      expect((await sharp(preview.rawPayload).metadata()).pages ?? 1).toBe(1);
    });

    it('refuses a truncated JPEG with 415, not 500', async () => {
      const jpeg = await sharp({
        create: { width: 300, height: 200, channels: 3, background: '#369' },
      })
        .jpeg()
        .toBuffer();
      const response = await upload(author, '/attachments', [
        { name: 'cut.jpg', bytes: jpeg.subarray(0, Math.floor(jpeg.length * 0.6)) },
      ]);
      expect(response.statusCode).toBe(415);
    });
  });

  describe('multipart shapes', () => {
    const url = () => `/tickets/${ticket}/attachments`;

    it('a text field instead of a file is 422', async () => {
      const response = await send(
        author,
        url(),
        rawMultipart(['Content-Disposition: form-data; name="file"\r\n\r\nnot a file']),
      );
      expect(response.statusCode).toBe(422);
    });

    it('more than 10 files is 413 and keeps none', async () => {
      const before = stored().length;
      const files = Array.from({ length: 11 }, (_, i) => ({ name: `${i}.pdf`, bytes: pdfBytes() }));
      const response = await upload(author, url(), files);
      expect(response.statusCode).toBe(413);
      expect(response.headers['content-type']).toMatch(/problem\+json/);
      expect(stored()).toHaveLength(before);
    });

    it('a text field beside the files is 422, however large or many', async () => {
      const file =
        'Content-Disposition: form-data; name="file"; filename="a.txt"\r\n' +
        'Content-Type: text/plain\r\n\r\nhello';
      const huge = `Content-Disposition: form-data; name="note"\r\n\r\n${'x'.repeat(2 * 1024 * 1024)}`;
      const many = Array.from(
        { length: 30 },
        (_, i) => `Content-Disposition: form-data; name="f${i}"\r\n\r\nx`,
      );
      for (const parts of [
        [file, huge],
        [file, ...many],
      ]) {
        const response = await send(author, url(), rawMultipart(parts));
        expect(response.statusCode).toBe(422);
        expect(response.json()).toMatchObject({ errors: [{ field: expect.any(String) }] });
      }
    });

    it('a multipart body without a boundary, or cut short, is 400', async () => {
      const noBoundary = await t.app.inject({
        method: 'POST',
        url: `/api/v1${url()}`,
        headers: { ...author.headers, 'content-type': 'multipart/form-data' },
        payload: 'whatever',
      });
      expect(noBoundary.statusCode).toBe(400);
      const cut = await t.app.inject({
        method: 'POST',
        url: `/api/v1${url()}`,
        headers: { ...author.headers, 'content-type': 'multipart/form-data; boundary=zz' },
        payload:
          '--zz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF',
      });
      expect(cut.statusCode).toBe(400);
      expect(stored().filter((file) => file.includes('uploads'))).toEqual([]);
    });
  });

  describe('serving', () => {
    it('names with quotes, CRLF and non-ASCII stay inside Content-Disposition', async () => {
      const item = await uploadOne(author, '/attachments', {
        name: 'a"; filename=evil.html\r\nX-Injected: 1 «ü».pdf',
        bytes: pdfBytes(),
      });
      const served = await get(item.url);
      expect(served.headers['x-injected']).toBeUndefined();
      const disposition = String(served.headers['content-disposition']);
      expect(disposition.match(/filename="/g)).toHaveLength(1);
      expect(disposition).toMatch(/^attachment; filename="[^"]*"; filename\*=UTF-8''[^\s";]+$/);
    });

    it('answers bytes=0-0 with the first byte and a suffix longer than the file with all of it', async () => {
      const item = await uploadOne(author, '/attachments', { name: 'r.pdf', bytes: pdfBytes() });
      const first = await get(item.url, undefined, { range: 'bytes=0-0' });
      expect([first.statusCode, first.body]).toEqual([206, '%']);
      expect(first.headers['content-range']).toBe(`bytes 0-0/${item.size}`);
      const all = await get(item.url, undefined, { range: 'bytes=-999999' });
      expect(all.statusCode).toBe(206);
      expect(all.rawPayload).toHaveLength(item.size);
      const beyond = await get(item.url, undefined, { range: `bytes=0-${item.size + 100}` });
      expect(beyond.headers['content-range']).toBe(`bytes 0-${item.size - 1}/${item.size}`);
      expect((await get(item.url, undefined, { range: 'bytes=-0' })).statusCode).toBe(416);
      expect((await get(item.url, undefined, { range: 'lines=1-2' })).statusCode).toBe(200);
    });
  });

  describe('attachment_ids', () => {
    it('refuses a file already on another ticket, even the caller’s own', async () => {
      const second = (await openTicket(t, author, category)).id;
      const onFirst = await uploadOne(author, `/tickets/${ticket}/attachments`, {
        name: 'a.pdf',
        bytes: pdfBytes(),
      });
      const response = await callAs(t, author, 'POST', `/tickets/${second}/messages`, {
        content: 'moving it',
        attachment_ids: [onFirst.id],
      });
      expect(response.statusCode).toBe(422);
      const created = await callAs(t, author, 'POST', '/tickets', {
        category_id: category,
        title: 'Steal',
        description: 'Taking a file from another ticket',
        attachment_ids: [onFirst.id],
      });
      expect(created.statusCode).toBe(422);
    });

    it('refuses another user’s upload on a ticket they share with staff only', async () => {
      const staffFile = await uploadOne(agent, `/tickets/${ticket}/attachments`, {
        name: 'draft.pdf',
        bytes: pdfBytes(),
      });
      const response = await callAs(t, author, 'POST', `/tickets/${ticket}/messages`, {
        content: 'taking the agent’s draft',
        attachment_ids: [staffFile.id],
      });
      expect(response.statusCode).toBe(422);
      expect((await get(`/api/v1/files/${staffFile.id}`, author)).statusCode).toBe(404);
    });

    it('lets staff send on a customer’s upload, never hide it in an internal note', async () => {
      const theirs = await uploadOne(author, `/tickets/${ticket}/attachments`, {
        name: 'log.pdf',
        bytes: pdfBytes(),
      });
      const hidden = await callAs(t, agent, 'POST', `/tickets/${ticket}/messages`, {
        content: 'for us',
        is_internal: true,
        attachment_ids: [theirs.id],
      });
      expect(hidden.statusCode).toBe(422);
      const sent = await callAs(t, agent, 'POST', `/tickets/${ticket}/messages`, {
        content: 'Here is your log back',
        attachment_ids: [theirs.id],
      });
      expect(sent.statusCode).toBe(201);
      expect((await get(`/api/v1/files/${theirs.id}`, author)).statusCode).toBe(200);
    });
  });

  describe('deleting', () => {
    it('removes a message’s stored files with the message', async () => {
      const item = await uploadOne(author, `/tickets/${ticket}/attachments`, {
        name: 'shot.png',
        bytes: await pngBytes(),
      });
      const posted = await callAs(t, author, 'POST', `/tickets/${ticket}/messages`, {
        content: 'with a picture',
        attachment_ids: [item.id],
      });
      expect(posted.statusCode).toBe(201);
      const before = stored().length;
      const message = posted.json<{ id: string }>().id;
      const removed = await callAs(t, admin, 'DELETE', `/messages/${message}`);
      expect(removed.statusCode, removed.body).toBe(204);
      expect((await get(item.url)).statusCode).toBe(404);
      expect(stored()).toHaveLength(before - 3);
    });
  });

  describe('concurrency', () => {
    it('takes several uploads at once, each whole', async () => {
      const png = await pngBytes(800, 600);
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          upload(i % 2 ? author : other, '/attachments', [
            { name: `c${i}.png`, bytes: png },
            { name: `c${i}.pdf`, bytes: pdfBytes() },
          ]),
        ),
      );
      expect(responses.map((response) => response.statusCode)).toEqual(Array(6).fill(201));
      const ids = responses.flatMap((response) =>
        response.json<{ items: Attachment[] }>().items.map((item) => item.id),
      );
      expect(new Set(ids).size).toBe(12);
    });
  });
});

describe('when the blob store fails', () => {
  let t: TestApp;
  let root: string;
  beforeAll(async () => {
    t = await createTestApp();
    root = mkdtempSync(path.join(os.tmpdir(), 'ttb-failing-blobs-'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps no row, no blob and no staged file of the whole upload', async () => {
    const { database, clock, queue } = t.container;
    const local = createLocalBlobStore(path.join(root, 'files'));
    const files = createFileService({
      db: database.db,
      clock,
      // The disk fills up while the second file's previews are written.
      blobs: {
        ...local,
        put: (key, body) =>
          key.startsWith('previews/') ? Promise.reject(new Error('ENOSPC')) : local.put(key, body),
      },
      scanner: scanningOff,
      urls: createFileUrls(new Uint8Array(32), clock),
      queue,
      logger: pino({ level: 'silent' }),
      stagingDir: path.join(root, 'uploads'),
      userAccess: (userId) => t.container.users.getAccess(userId),
    });
    const person = await signInAs(t, 'user');
    const parts = [
      { file: Readable.from([pdfBytes()]), filename: 'a.pdf' },
      { file: Readable.from([await pngBytes()]), filename: 'b.png' },
    ];
    await expect(
      files.upload({ userId: person.id, role: 'user', sessionId: 's' }, null, parts),
    ).rejects.toThrow(/ENOSPC/);
    const rows = await database.db
      .select()
      .from(attachments)
      .where(eq(attachments.uploaderId, person.id));
    expect(rows).toEqual([]);
    expect(filesUnder(root)).toEqual([]);
  });
});

describe('on S3 storage (s3rver)', () => {
  it('stores uploads in the bucket and removes them with their ticket', async () => {
    const s3 = await startS3Server();
    const t = await createTestApp({
      env: {
        S3_ENDPOINT: s3.endpoint,
        S3_BUCKET: s3.bucket,
        S3_ACCESS_KEY: s3.accessKey,
        S3_SECRET_KEY: s3.secretKey,
        S3_REGION: s3.region,
      },
    });
    const bucket = createS3BlobStore(s3);
    try {
      const [author, admin] = [await signInAs(t, 'user'), await signInAs(t, 'admin')];
      const ticket = (await openTicket(t, author, await addCategory(t))).id;
      const body = multipartBody([{ name: 'p.png', bytes: await pngBytes() }]);
      const uploaded = await t.app.inject({
        method: 'POST',
        url: `/api/v1/tickets/${ticket}/attachments`,
        headers: { ...author.headers, ...body.headers },
        payload: body.payload,
      });
      const [item] = uploaded.json<{ items: Attachment[] }>().items;
      const keys = [`files/${item?.id}`, `previews/${item?.id}-small.webp`];
      expect(await Promise.all(keys.map((key) => bucket.exists(key)))).toEqual([true, true]);
      const served = await t.app.inject({ method: 'GET', url: item?.url ?? '' });
      expect(served.headers['content-type']).toBe('image/png');
      expect((await callAs(t, admin, 'DELETE', `/tickets/${ticket}`)).statusCode).toBe(204);
      expect(await Promise.all(keys.map((key) => bucket.exists(key)))).toEqual([false, false]);
    } finally {
      bucket.close();
      await t.close();
      await s3.close();
    }
  });
});
