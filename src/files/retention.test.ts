import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { multipartBody, pdfBytes } from '../../test/multipart.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import { attachments } from '../db/schema.js';
import { fileJobs, orphanMaxAgeMs } from './service.js';

describe('retention of unattached uploads', () => {
  let t: TestApp;
  let person: Person;
  /** Makes an upload look `ageMs` old. */
  const age = (id: string, ageMs: number) =>
    t.container.database.db
      .update(attachments)
      .set({ createdAt: new Date(Date.now() - ageMs) })
      .where(eq(attachments.id, id));

  const upload = async (url: string) => {
    const body = multipartBody([{ name: 'a.pdf', bytes: pdfBytes() }]);
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1${url}`,
      headers: { ...person.headers, ...body.headers },
      payload: body.payload,
    });
    return response.json<{ items: { id: string }[] }>().items[0]?.id ?? '';
  };
  const exists = async (id: string) =>
    (await t.container.database.db.select().from(attachments).where(eq(attachments.id, id)))
      .length === 1;

  const blobFile = (id: string) => path.join(t.container.config.DATA_DIR, 'files', 'files', id);

  beforeAll(async () => {
    t = await createTestApp({ startQueue: true });
    person = await signInAs(t, 'user');
  });
  afterAll(() => t.close());

  it('removes uploads never attached after 24 h, rows and bytes, and keeps the rest', async () => {
    const ticket = (await openTicket(t, person, await addCategory(t))).id;
    const orphan = await upload('/attachments');
    const onTicket = await upload(`/tickets/${ticket}/attachments`);
    const young = await upload('/attachments');
    await age(orphan, orphanMaxAgeMs + 1000);
    await age(onTicket, orphanMaxAgeMs + 1000);
    await age(young, orphanMaxAgeMs - 60_000);
    expect(await t.container.files.purgeOrphans()).toBe(1);
    expect(await exists(orphan)).toBe(false);
    expect(existsSync(blobFile(orphan))).toBe(false);
    expect(existsSync(blobFile(young))).toBe(true);
    expect(await exists(young)).toBe(true);
    expect(await exists(onTicket)).toBe(true);
    expect((await callAs(t, person, 'GET', `/files/${orphan}`)).statusCode).toBe(404);
  });

  it('runs as the files.purge-orphans job', async () => {
    const orphan = await upload('/attachments');
    await age(orphan, orphanMaxAgeMs + 1000);
    await t.container.queue.send(fileJobs.purgeOrphans, {});
    for (let i = 0; i < 100 && (await exists(orphan)); i++) await sleep(100);
    expect(await exists(orphan)).toBe(false);
  });
});
