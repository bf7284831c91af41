import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import {
  attachmentRequests,
  elfBytes,
  heicBytes,
  jpegWithExif,
  multipartBody,
  pdfBytes,
  pngBytes,
  type Attachment,
} from '../../test/multipart.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';

const MB = 1024 * 1024;

describe('attachments', () => {
  let t: TestApp;
  let author: Person;
  let stranger: Person;
  let agent: Person;
  let admin: Person;
  let category: string;
  let ticket: string;

  const { upload, uploadOne, get, stored } = attachmentRequests(() => t);

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '100000', UPLOAD_RATE_LIMIT: '1000' } });
    author = await signInAs(t, 'user');
    stranger = await signInAs(t, 'user');
    agent = await signInAs(t, 'agent');
    admin = await signInAs(t, 'admin');
    category = await addCategory(t);
    ticket = (await openTicket(t, author, category)).id;
  });
  afterAll(() => t.close());

  describe('POST /tickets/{id}/attachments', () => {
    it('takes a PNG and a PDF, with WebP previews for the image, ready at once', async () => {
      const png = await pngBytes(2000, 1000);
      const response = await upload(author, `/tickets/${ticket}/attachments`, [
        { name: 'screen.png', bytes: png, type: 'image/png' },
        { name: 'invoice.pdf', bytes: pdfBytes() },
      ]);
      expect(response.statusCode, response.body).toBe(201);
      const [image, pdf] = response.json<{ items: Attachment[] }>().items;
      expect(image).toMatchObject({
        file_name: 'screen.png',
        mime_type: 'image/png',
        scan_status: 'skipped',
      });
      expect(pdf).toMatchObject({
        file_name: 'invoice.pdf',
        mime_type: 'application/pdf',
        preview_url: null,
      });
      expect(image?.preview_url).toMatch(/\/preview\?exp=\d+&u=[\da-f-]+&sig=/);

      const small = await get(image?.preview_url ?? '');
      expect(small.statusCode).toBe(200);
      expect(small.headers['content-type']).toBe('image/webp');
      const smallMeta = await sharp(small.rawPayload).metadata();
      expect([smallMeta.format, smallMeta.width, smallMeta.height]).toEqual(['webp', 320, 160]);
      const large = await get(`${image?.preview_url ?? ''}&size=large`);
      expect((await sharp(large.rawPayload).metadata()).width).toBe(1280);

      const file = await get(pdf?.url ?? '');
      expect(file.statusCode).toBe(200);
      expect(file.headers['content-type']).toBe('application/pdf');
      expect(file.headers['x-content-type-options']).toBe('nosniff');
      expect(file.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
      expect(file.headers['content-disposition']).toMatch(/^attachment; filename="invoice.pdf"/);
      expect(file.rawPayload.equals(pdfBytes())).toBe(true);
    });

    it('re-encodes images: orientation applied, EXIF gone, served inline as the detected type', async () => {
      const item = await uploadOne(author, `/tickets/${ticket}/attachments`, {
        name: 'photo.jpg',
        bytes: await jpegWithExif(400, 300),
      });
      const file = await get(item.url, author);
      expect(file.headers['content-type']).toBe('image/jpeg');
      expect(file.headers['content-disposition']).toMatch(/^inline;/);
      const meta = await sharp(file.rawPayload).metadata();
      expect([meta.width, meta.height, meta.orientation, meta.exif]).toEqual([
        300,
        400,
        undefined,
        undefined,
      ]);
    });

    it('re-encodes GIF and WebP too, and keeps HEIC as is (attachment, no preview here)', async () => {
      const base = sharp({ create: { width: 50, height: 40, channels: 3, background: '#0a0' } });
      const gif = await uploadOne(author, `/tickets/${ticket}/attachments`, {
        name: 'a.gif',
        bytes: await base.clone().gif().toBuffer(),
      });
      const webp = await uploadOne(author, `/tickets/${ticket}/attachments`, {
        name: 'b.webp',
        bytes: await base.clone().webp().toBuffer(),
      });
      expect([gif.mime_type, webp.mime_type]).toEqual(['image/gif', 'image/webp']);
      expect(gif.preview_url && webp.preview_url).toBeTruthy();
      const heic = await uploadOne(author, `/tickets/${ticket}/attachments`, {
        name: 'IMG_1.HEIC',
        bytes: heicBytes(),
      });
      expect([heic.mime_type, heic.preview_url]).toEqual(['image/heic', null]);
      const served = await get(heic.url);
      expect(served.headers['content-disposition']).toMatch(/^attachment;/);
    });

    it('refuses a damaged image with 415', async () => {
      const png = await pngBytes();
      const response = await upload(author, `/tickets/${ticket}/attachments`, [
        { name: 'broken.png', bytes: Buffer.concat([png.subarray(0, 40), Buffer.alloc(200)]) },
      ]);
      expect(response.statusCode).toBe(415);
      expect(response.json<{ detail: string }>().detail).toMatch(/cannot be read/);
    });

    it('refuses an ELF renamed .png with 415, whatever the declared type', async () => {
      const response = await upload(author, `/tickets/${ticket}/attachments`, [
        { name: 'cat.png', bytes: elfBytes(), type: 'image/png' },
      ]);
      expect(response.statusCode).toBe(415);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.json()).toMatchObject({ code: 'unsupported_file_type' });
    });

    it('keeps none of the files when one of them is refused', async () => {
      const before = stored().length;
      const response = await upload(author, `/tickets/${ticket}/attachments`, [
        { name: 'ok.pdf', bytes: pdfBytes() },
        { name: 'run.pdf', bytes: elfBytes() },
      ]);
      expect(response.statusCode).toBe(415);
      expect(stored()).toHaveLength(before);
    });

    it('cuts off an 11 MB image and a 21 MB PDF with 413, leaving nothing on disk', async () => {
      const before = stored().length;
      const png = await pngBytes();
      const bigImage = Buffer.concat([png, Buffer.alloc(11 * MB - png.length)]);
      const image = await upload(author, `/tickets/${ticket}/attachments`, [
        { name: 'big.png', bytes: bigImage },
      ]);
      expect(image.statusCode).toBe(413);
      expect(image.json()).toMatchObject({ code: 'file_too_large' });
      const pdf = await upload(author, `/tickets/${ticket}/attachments`, [
        { name: 'big.pdf', bytes: pdfBytes(21 * MB) },
      ]);
      expect(pdf.statusCode).toBe(413);
      expect(stored()).toHaveLength(before);
    });

    it('takes a 15 MB PDF (documents may be up to 20 MB)', async () => {
      const item = await uploadOne(author, `/tickets/${ticket}/attachments`, {
        name: 'manual.pdf',
        bytes: pdfBytes(15 * MB),
      });
      expect(item.size).toBe(15 * MB);
    });

    it('accepts text only when it is UTF-8 without NULs and named .txt or .csv', async () => {
      const csv = await uploadOne(author, `/tickets/${ticket}/attachments`, {
        name: 'rows.csv',
        bytes: Buffer.from('name;città\nÅsa;Zürich\n'),
      });
      expect(csv.mime_type).toBe('text/csv');
      const txt = await uploadOne(author, `/tickets/${ticket}/attachments`, {
        name: 'log.txt',
        bytes: Buffer.from('hello\n'),
      });
      expect(txt.mime_type).toBe('text/plain');
      const served = await get(txt.url);
      expect(served.headers['content-disposition']).toMatch(/^attachment;/);
      for (const [name, bytes] of [
        ['latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9])],
        ['nul.txt', Buffer.from('a\0b')],
        ['page.html', Buffer.from('<script>alert(1)</script>')],
        ['empty.txt', Buffer.alloc(0)],
      ] as const) {
        const response = await upload(author, `/tickets/${ticket}/attachments`, [{ name, bytes }]);
        expect(response.statusCode, name).toBe(415);
      }
    });

    it('keeps a path-like, control-character name harmless', async () => {
      const item = await uploadOne(author, `/tickets/${ticket}/attachments`, {
        name: '../../etc/\u202Epasswd\u0007 отчёт.pdf',
        bytes: pdfBytes(),
      });
      expect(item.file_name).toBe('passwd отчёт.pdf');
      const served = await get(item.url);
      expect(served.headers['content-disposition']).toBe(
        `attachment; filename="passwd _____.pdf"; filename*=UTF-8''passwd%20%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf`,
      );
    });

    it('adds the real extension when the name hides the type', async () => {
      const item = await uploadOne(author, `/tickets/${ticket}/attachments`, {
        name: 'notes.txt',
        bytes: pdfBytes(),
      });
      expect([item.file_name, item.mime_type]).toEqual(['notes.txt.pdf', 'application/pdf']);
    });

    it('answers 404 to a stranger and 409 on a closed ticket', async () => {
      const response = await upload(stranger, `/tickets/${ticket}/attachments`, [
        { name: 'a.pdf', bytes: pdfBytes() },
      ]);
      expect(response.statusCode).toBe(404);
      const closed = (await openTicket(t, author, category)).id;
      await callAs(t, author, 'PUT', `/tickets/${closed}/status`, { status: 'closed' });
      const late = await upload(author, `/tickets/${closed}/attachments`, [
        { name: 'a.pdf', bytes: pdfBytes() },
      ]);
      expect(late.statusCode).toBe(409);
    });

    it('refuses a body that is not multipart (415) and a multipart body without files (422)', async () => {
      const json = await callAs(t, author, 'POST', `/tickets/${ticket}/attachments`, { a: 1 });
      expect(json.statusCode).toBe(415);
      const empty = await upload(author, `/tickets/${ticket}/attachments`, []);
      expect(empty.statusCode).toBe(422);
    });
  });

  describe('GET /files/{id}', () => {
    let file: Attachment;
    let note: Attachment;

    beforeAll(async () => {
      file = await uploadOne(author, `/tickets/${ticket}/attachments`, {
        name: 'data.pdf',
        bytes: pdfBytes(1000),
      });
      note = await uploadOne(agent, `/tickets/${ticket}/attachments`, {
        name: 'internal.pdf',
        bytes: pdfBytes(),
      });
      const posted = await callAs(t, agent, 'POST', `/tickets/${ticket}/messages`, {
        content: 'Customer’s contract, for us only',
        is_internal: true,
        attachment_ids: [note.id],
      });
      expect(posted.statusCode, posted.body).toBe(201);
      expect(posted.json<{ attachments: Attachment[] }>().attachments).toHaveLength(1);
    });

    it('serves the file with a token to the author and staff; a stranger gets 404', async () => {
      const bare = `/api/v1/files/${file.id}`;
      expect((await get(bare, author)).statusCode).toBe(200);
      expect((await get(bare, agent)).statusCode).toBe(200);
      expect((await get(bare, stranger)).statusCode).toBe(404);
      expect((await get(`${bare}/preview`, author)).statusCode).toBe(404);
      expect((await get(bare)).statusCode).toBe(401);
    });

    it('never gives a user the file of an internal note, not even its ticket’s author', async () => {
      expect((await get(`/api/v1/files/${note.id}`, author)).statusCode).toBe(404);
      expect((await get(`/api/v1/files/${note.id}`, agent)).statusCode).toBe(200);
      const list = await callAs(t, author, 'GET', `/tickets/${ticket}/attachments`);
      const ids = list.json<{ items: Attachment[] }>().items.map((item) => item.id);
      expect(ids).toContain(file.id);
      expect(ids).not.toContain(note.id);
      const staffList = await callAs(t, agent, 'GET', `/tickets/${ticket}/attachments`);
      expect(staffList.json<{ items: Attachment[] }>().items.map((item) => item.id)).toContain(
        note.id,
      );
      const messages = await callAs(t, author, 'GET', `/tickets/${ticket}/messages`);
      expect(messages.body).not.toContain(note.id);
    });

    it('lists each message’s files on the conversation’s page, in upload order, with links that serve them to the reader', async () => {
      const own = (await openTicket(t, author, category)).id;
      const photo = await uploadOne(author, `/tickets/${own}/attachments`, {
        name: 'photo.png',
        bytes: await pngBytes(),
      });
      const invoice = await uploadOne(author, `/tickets/${own}/attachments`, {
        name: 'invoice.pdf',
        bytes: pdfBytes(),
      });
      const sent = await callAs(t, author, 'POST', `/tickets/${own}/messages`, {
        content: 'The photo and the invoice',
        attachment_ids: [photo.id, invoice.id],
      });
      expect(sent.statusCode, sent.body).toBe(201);
      const bare = await callAs(t, author, 'POST', `/tickets/${own}/messages`, { content: 'And?' });
      expect(bare.statusCode, bare.body).toBe(201);
      for (const reader of [author, agent]) {
        const page = await callAs(t, reader, 'GET', `/tickets/${own}/messages`);
        expect(page.statusCode).toBe(200);
        const items = page.json<{ items: { content: string; attachments: Attachment[] }[] }>()
          .items;
        const withFiles = items.find((item) => item.content === 'The photo and the invoice');
        expect(
          withFiles?.attachments.map((file) => [file.id, file.file_name, file.mime_type]),
        ).toEqual([
          [photo.id, 'photo.png', 'image/png'],
          [invoice.id, 'invoice.pdf', 'application/pdf'],
        ]);
        expect(items.find((item) => item.content === 'And?')?.attachments).toEqual([]);
        const [shownPhoto, shownInvoice] = withFiles?.attachments ?? [];
        expect(shownPhoto?.size).toBe(photo.size);
        expect(shownInvoice?.preview_url).toBeNull();
        // Links signed for whoever reads the page, which serve without a token.
        for (const url of [shownPhoto?.url, shownPhoto?.preview_url, shownInvoice?.url]) {
          expect(new URL(url ?? '', 'http://x').searchParams.get('u')).toBe(reader.id);
          expect((await get(url ?? '')).statusCode).toBe(200);
        }
      }
    });

    it('refuses a forged, expired or other file’s signature', async () => {
      const url = new URL(file.url, 'http://x');
      const exp = url.searchParams.get('exp') ?? '';
      const sig = url.searchParams.get('sig') ?? '';
      expect((await get(`${url.pathname}?exp=${exp}&sig=${sig}x`)).statusCode).toBe(401);
      expect((await get(`${url.pathname}?exp=${Number(exp) + 1}&sig=${sig}`)).statusCode).toBe(401);
      expect((await get(`/api/v1/files/${note.id}?exp=${exp}&sig=${sig}`)).statusCode).toBe(401);
      expect((await get(`${url.pathname}?exp=1000&sig=${sig}`)).statusCode).toBe(401);
    });

    it('stops the signed links a user was given once they are blocked, and again when unblocked', async () => {
      const owner = await signInAs(t, 'user');
      const ownTicket = (await openTicket(t, owner, category)).id;
      const own = await uploadOne(owner, `/tickets/${ownTicket}/attachments`, {
        name: 'plan.pdf',
        bytes: pdfBytes(),
      });
      expect((await get(own.url)).statusCode).toBe(200);
      const moderator = { userId: admin.id, role: admin.role, sessionId: 'test' };
      await t.container.users.changeStatus(moderator, owner.id, false);
      const refused = await get(own.url);
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'user_blocked' });
      // Staff's own links to the same file still work.
      const staffList = await callAs(t, agent, 'GET', `/tickets/${ownTicket}/attachments`);
      const staffUrl = staffList.json<{ items: Attachment[] }>().items[0]?.url ?? '';
      expect((await get(staffUrl)).statusCode).toBe(200);
      await t.container.users.changeStatus(moderator, owner.id, true);
      expect((await get(own.url)).statusCode).toBe(200);
    });

    it('answers byte ranges with 206 and impossible ones with 416', async () => {
      const full = await get(file.url);
      expect(full.headers['accept-ranges']).toBe('bytes');
      const part = await get(file.url, undefined, { range: 'bytes=0-3' });
      expect(part.statusCode).toBe(206);
      expect(part.body).toBe('%PDF');
      expect(part.headers['content-range']).toBe(`bytes 0-3/${file.size}`);
      const tail = await get(file.url, undefined, { range: 'bytes=-2' });
      expect(tail.rawPayload.equals(full.rawPayload.subarray(-2))).toBe(true);
      const open = await get(file.url, undefined, { range: `bytes=${file.size - 1}-` });
      expect(open.rawPayload).toHaveLength(1);
      const outside = await get(file.url, undefined, { range: `bytes=${file.size}-` });
      expect(outside.statusCode).toBe(416);
      expect(outside.headers['content-range']).toBe(`bytes */${file.size}`);
      expect((await get(file.url, undefined, { range: 'bytes=5-2' })).statusCode).toBe(416);
      expect((await get(file.url, undefined, { range: 'bytes=abc' })).statusCode).toBe(416);
      const several = await get(file.url, undefined, { range: 'bytes=0-1,4-5' });
      expect(several.statusCode).toBe(200);
    });

    it('answers 304 to a matching If-None-Match', async () => {
      const first = await get(file.url);
      const etag = String(first.headers.etag);
      const again = await get(file.url, undefined, { 'if-none-match': etag });
      expect(again.statusCode).toBe(304);
      expect(first.headers['cache-control']).toBe('private, max-age=3600');
    });
  });

  describe('attachment_ids', () => {
    it('attaches uploads made before the ticket to the new ticket', async () => {
      const early = await uploadOne(author, '/attachments', {
        name: 'before.pdf',
        bytes: pdfBytes(),
      });
      const created = await callAs(t, author, 'POST', '/tickets', {
        category_id: category,
        title: 'With a file',
        description: 'See attached',
        attachment_ids: [early.id],
      });
      expect(created.statusCode, created.body).toBe(201);
      const id = created.json<{ id: string }>().id;
      const list = await callAs(t, author, 'GET', `/tickets/${id}/attachments`);
      expect(list.json<{ items: Attachment[] }>().items.map((item) => item.id)).toEqual([early.id]);
      expect((await get(`/api/v1/files/${early.id}`, agent)).statusCode).toBe(200);
    });

    it('refuses someone else’s upload, an attached one, or an unknown id with 422', async () => {
      const theirs = await uploadOne(stranger, '/attachments', {
        name: 'x.pdf',
        bytes: pdfBytes(),
      });
      expect((await get(`/api/v1/files/${theirs.id}`, author)).statusCode).toBe(404);
      for (const ids of [[theirs.id], ['00000000-0000-4000-8000-000000000000']]) {
        const response = await callAs(t, author, 'POST', `/tickets/${ticket}/messages`, {
          content: 'Here',
          attachment_ids: ids,
        });
        expect(response.statusCode).toBe(422);
        expect(response.json()).toMatchObject({ errors: [{ field: 'attachment_ids' }] });
      }
      const mine = await uploadOne(author, `/tickets/${ticket}/attachments`, {
        name: 'y.pdf',
        bytes: pdfBytes(),
      });
      const first = await callAs(t, author, 'POST', `/tickets/${ticket}/messages`, {
        content: 'One',
        attachment_ids: [mine.id],
      });
      expect(first.json<{ attachments: Attachment[] }>().attachments[0]?.id).toBe(mine.id);
      const second = await callAs(t, author, 'POST', `/tickets/${ticket}/messages`, {
        content: 'Two',
        attachment_ids: [mine.id],
      });
      expect(second.statusCode).toBe(422);
    });
  });

  describe('retention', () => {
    it('removes a ticket’s stored files when the ticket is deleted', async () => {
      const doomed = (await openTicket(t, author, category)).id;
      const item = await uploadOne(author, `/tickets/${doomed}/attachments`, {
        name: 'p.png',
        bytes: await pngBytes(),
      });
      const before = stored().length;
      const removed = await callAs(t, admin, 'DELETE', `/tickets/${doomed}`);
      expect(removed.statusCode).toBe(204);
      // The file and its two previews are gone.
      expect(stored()).toHaveLength(before - 3);
      expect((await get(`/api/v1/files/${item.id}`, admin)).statusCode).toBe(404);
    });
  });
});

describe('upload rate limit', () => {
  it('answers 429 with Retry-After past UPLOAD_RATE_LIMIT uploads a minute', async () => {
    const t = await createTestApp({ env: { UPLOAD_RATE_LIMIT: '2' } });
    try {
      const person = await signInAs(t, 'user');
      const statuses: number[] = [];
      let retryAfter: unknown;
      for (let i = 0; i < 3; i++) {
        const body = multipartBody([{ name: 'a.pdf', bytes: pdfBytes() }]);
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/v1/attachments',
          headers: { ...person.headers, ...body.headers },
          payload: body.payload,
        });
        statuses.push(response.statusCode);
        retryAfter = response.headers['retry-after'];
      }
      expect(statuses).toEqual([201, 201, 429]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });
});
