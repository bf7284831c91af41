import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { multipartBody, pdfBytes } from '../../test/multipart.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import { attachments } from '../db/schema.js';
import { fileJobNames, maxPendingUploads, orphanMaxAgeMs } from './service.js';
import { manualClock } from '../../test/manual-clock.js';

describe('retention of uploads never put anywhere', () => {
  const clock = manualClock('2031-05-04T10:00:00.000Z');
  let t: TestApp;
  let category: string;

  /** Uploads `count` PDFs in one request to `url`; their ids (or the refusal). */
  async function upload(person: Person, url: string, count = 1) {
    const body = multipartBody(
      Array.from({ length: count }, (_, i) => ({ name: `a${i}.pdf`, bytes: pdfBytes() })),
    );
    return t.app.inject({
      method: 'POST',
      url: `/api/v1${url}`,
      headers: { ...person.headers, ...body.headers },
      payload: body.payload,
    });
  }
  async function uploadOne(person: Person, url: string): Promise<string> {
    const response = await upload(person, url);
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ items: { id: string }[] }>().items[0]?.id ?? '';
  }

  const exists = async (id: string) =>
    (await t.container.database.db.select().from(attachments).where(eq(attachments.id, id)))
      .length === 1;

  const blobFile = (id: string) => path.join(t.container.config.DATA_DIR, 'files', 'files', id);

  /** Opens a ticket whose own files (named at creation) are `ids`. */
  async function ticketWith(person: Person, ids: string[]): Promise<string> {
    const response = await callAs(t, person, 'POST', '/tickets', {
      category_id: category,
      title: 'Scanner jams',
      description: 'Every third page.',
      attachment_ids: ids,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  }

  beforeAll(async () => {
    t = await createTestApp({ startQueue: true, clock });
    category = await addCategory(t);
  });
  afterAll(() => t.close());
  // Each test starts with nothing waiting: what earlier tests left is past its time and gone.
  beforeEach(async () => {
    clock.advance(2 * orphanMaxAgeMs);
    await t.container.files.purgeOrphans();
  });

  it('removes uploads attached to nothing after 24 h, rows and bytes, and keeps the rest', async () => {
    const person = await signInAs(t, 'user');
    const orphan = await uploadOne(person, '/attachments');
    const own = await uploadOne(person, '/attachments');
    await ticketWith(person, [own]);
    clock.advance(60_000);
    const young = await uploadOne(person, '/attachments');
    clock.advance(orphanMaxAgeMs - 30_000);
    expect(await t.container.files.purgeOrphans()).toBe(1);
    expect(await exists(orphan)).toBe(false);
    expect(existsSync(blobFile(orphan))).toBe(false);
    expect(await exists(young)).toBe(true);
    expect(existsSync(blobFile(young))).toBe(true);
    const again = await signInAs(t, 'user');
    expect((await callAs(t, again, 'GET', `/files/${orphan}`)).statusCode).toBe(404);
    expect(await exists(own)).toBe(true);
  });

  it('removes uploads to a ticket never put in a message after 24 h, keeping the ticket’s own and messages’ files', async () => {
    const person = await signInAs(t, 'user');
    const own = await uploadOne(person, '/attachments');
    const ticket = await ticketWith(person, [own]);
    const sent = await uploadOne(person, `/tickets/${ticket}/attachments`);
    const message = await callAs(t, person, 'POST', `/tickets/${ticket}/messages`, {
      content: 'The jammed page',
      attachment_ids: [sent],
    });
    expect(message.statusCode, message.body).toBe(201);
    const forgotten = await uploadOne(person, `/tickets/${ticket}/attachments`);

    clock.advance(orphanMaxAgeMs - 60_000);
    expect(await t.container.files.purgeOrphans()).toBe(0);
    expect(await exists(forgotten)).toBe(true);
    clock.advance(120_000);
    expect(await t.container.files.purgeOrphans()).toBe(1);
    expect(await exists(forgotten)).toBe(false);
    expect(existsSync(blobFile(forgotten))).toBe(false);
    expect(await exists(own)).toBe(true);
    expect(await exists(sent)).toBe(true);

    const again = await signInAs(t, 'user');
    const staff = await signInAs(t, 'agent');
    const listed = await callAs(t, staff, 'GET', `/tickets/${ticket}/attachments`);
    const listedIds = listed.json<{ items: { id: string }[] }>().items.map((item) => item.id);
    expect(listedIds).toHaveLength(2);
    expect(listedIds).toEqual(expect.arrayContaining([own, sent]));
    expect((await callAs(t, again, 'GET', `/files/${forgotten}`)).statusCode).toBe(404);
  });

  it('counts uploads waiting on a ticket against the cap, and frees them once sent', async () => {
    const person = await signInAs(t, 'user');
    const ticket = (await openTicket(t, person, category)).id;
    const ids: string[] = [];
    for (let i = 0; i < maxPendingUploads / 10; i++) {
      const response = await upload(person, `/tickets/${ticket}/attachments`, 10);
      expect(response.statusCode, response.body).toBe(201);
      ids.push(...response.json<{ items: { id: string }[] }>().items.map((item) => item.id));
    }
    for (const url of [`/tickets/${ticket}/attachments`, '/attachments']) {
      const refused = await upload(person, url);
      expect(refused.statusCode, refused.body).toBe(409);
      expect(refused.json<{ code: string }>().code).toBe('too_many_pending_uploads');
    }
    const message = await callAs(t, person, 'POST', `/tickets/${ticket}/messages`, {
      content: 'All the pages',
      attachment_ids: ids.slice(0, 10),
    });
    expect(message.statusCode, message.body).toBe(201);
    await uploadOne(person, `/tickets/${ticket}/attachments`);
  });

  it('runs as the files.purge-orphans job', async () => {
    const person = await signInAs(t, 'user');
    const orphan = await uploadOne(person, '/attachments');
    clock.advance(orphanMaxAgeMs + 1000);
    await t.container.queue.send(fileJobNames.purgeOrphans, {});
    for (let i = 0; i < 100 && (await exists(orphan)); i++) await sleep(100);
    expect(await exists(orphan)).toBe(false);
  });
});
