import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { and, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { clamdInstalled, eicar, startClamd, type TestClamd } from '../../test/clamd.js';
import { multipartBody, pdfBytes, pngBytes } from '../../test/multipart.js';
import { addCategory, openTicket, signInAs, type Person } from '../../test/people.js';
import { attachments, notifications } from '../db/schema.js';
import { createMalwareAlert } from '../notifications/malware-alert.js';
import { createLocalBlobStore } from '../platform/blob-store.js';
import type { Scanner, ScanVerdict } from '../platform/scanner.js';
import { createClamdScanner, scanningOff } from '../platform/scanner.js';
import { createFileUrls } from './file-urls.js';
import { createFileService } from './service.js';

interface Attachment {
  id: string;
  url: string;
  preview_url: string | null;
  scan_status: string;
}

async function uploadAs(t: TestApp, person: Person, url: string, name: string, bytes: Buffer) {
  const body = multipartBody([{ name, bytes }]);
  const response = await t.app.inject({
    method: 'POST',
    url: `/api/v1${url}`,
    headers: { ...person.headers, ...body.headers },
    payload: body.payload,
  });
  expect(response.statusCode, response.body).toBe(201);
  const [item] = response.json<{ items: Attachment[] }>().items;
  if (!item) throw new Error('no attachment');
  return item;
}

if (clamdInstalled) {
  describe('antivirus with a real clamd (CLAMAV_URL)', () => {
    let clamd: TestClamd;
    let t: TestApp;
    let author: Person;
    let agent: Person;
    let ticket: string;

    beforeAll(async () => {
      const started = await startClamd();
      if (!started) throw new Error('clamd is installed but did not start');
      clamd = started;
      t = await createTestApp({ env: { CLAMAV_URL: clamd.url } });
      author = await signInAs(t, 'user');
      agent = await signInAs(t, 'agent');
      ticket = (await openTicket(t, author, await addCategory(t))).id;
    });
    afterAll(async () => {
      await t.close();
      await clamd.close();
    });

    it('marks the EICAR file infected, never serves it, and tells staff', async () => {
      const item = await uploadAs(
        t,
        author,
        `/tickets/${ticket}/attachments`,
        'eicar.txt',
        Buffer.from(eicar),
      );
      expect(item.scan_status).toBe('infected');
      for (const request of [
        { url: item.url, headers: {} },
        { url: `/api/v1/files/${item.id}`, headers: author.headers },
        { url: `/api/v1/files/${item.id}`, headers: agent.headers },
      ]) {
        const response = await t.app.inject({ method: 'GET', ...request });
        expect(response.statusCode).toBe(409);
        expect(response.json()).toMatchObject({ code: 'file_infected' });
      }
      const [row] = await t.container.database.db
        .select()
        .from(attachments)
        .where(eq(attachments.id, item.id));
      expect(row?.storageKey).toBe(`quarantine/${item.id}`);
      const alerts = await t.container.database.db
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, agent.id), eq(notifications.type, 'system')));
      expect(alerts.map((alert) => alert.ticketId)).toContain(ticket);
      const attach = await t.app.inject({
        method: 'POST',
        url: `/api/v1/tickets/${ticket}/messages`,
        headers: author.headers,
        payload: { content: 'see file', attachment_ids: [item.id] },
      });
      expect(attach.statusCode).toBe(422);
    });

    it('marks clean files clean and serves them', async () => {
      const pdf = await uploadAs(t, author, '/attachments', 'ok.pdf', pdfBytes());
      const png = await uploadAs(t, author, '/attachments', 'ok.png', await pngBytes());
      expect([pdf.scan_status, png.scan_status]).toEqual(['clean', 'clean']);
      expect((await t.app.inject({ method: 'GET', url: pdf.url })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: png.preview_url ?? '' })).statusCode).toBe(
        200,
      );
    });

    it('scans a 20 MB stream over INSTREAM', async () => {
      const scanner = createClamdScanner(clamd.url);
      expect(await scanner.ping()).toBe(true);
      const big = Buffer.alloc(20 * 1024 * 1024, 0x41);
      expect(await scanner.scan(Readable.from([big]))).toEqual({ infected: false });
    });
  });
} else {
  console.warn(
    'antivirus: clamd is not installed (apt-get install clamav-daemon); the EICAR tests are left out',
  );
}

describe('scanning when clamd cannot be reached', () => {
  it('keeps the upload pending and unserved', async () => {
    const t = await createTestApp({
      env: { CLAMAV_URL: 'unix:///nonexistent/clamd.sock' },
      startQueue: true,
    });
    try {
      const person = await signInAs(t, 'user');
      const item = await uploadAs(t, person, '/attachments', 'a.pdf', pdfBytes());
      expect(item.scan_status).toBe('pending');
      const response = await t.app.inject({ method: 'GET', url: item.url });
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({ code: 'scan_pending' });
      expect(await createClamdScanner('unix:///nonexistent/clamd.sock').ping()).toBe(false);
    } finally {
      await t.close();
    }
  });
});

/** A stand-in clamd on a Unix socket that misbehaves as told, for failures a real one rarely shows. */
async function brokenClamd(behaviour: 'hang-up mid-stream' | 'silent') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ttb-fake-clamd-'));
  const socketPath = path.join(dir, 'clamd.sock');
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    let received = 0;
    socket.on('data', (data) => {
      received += data.length;
      if (behaviour === 'hang-up mid-stream' && received > 64 * 1024) socket.destroy();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    url: `unix://${socketPath}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('clamd failing mid-scan', () => {
  it('rejects, and lets go of the file, when clamd hangs up in the middle of a stream', async () => {
    const clamd = await brokenClamd('hang-up mid-stream');
    try {
      const body = Readable.from(
        (function* () {
          for (let i = 0; i < 64; i++) yield Buffer.alloc(64 * 1024, 0x41);
        })(),
      );
      await expect(createClamdScanner(clamd.url).scan(body)).rejects.toThrow();
      await new Promise((resolve) => setImmediate(resolve));
      expect(body.destroyed).toBe(true);
    } finally {
      await clamd.close();
    }
  });

  it('gives up on a clamd that never answers', async () => {
    const clamd = await brokenClamd('silent');
    try {
      const scanner = createClamdScanner(clamd.url, 200);
      await expect(scanner.scan(Readable.from([Buffer.from('x')]))).rejects.toThrow(/in time/);
    } finally {
      await clamd.close();
    }
  });

  it('keeps an upload pending (not a 500) when clamd hangs up during its scan', async () => {
    const clamd = await brokenClamd('hang-up mid-stream');
    const t = await createTestApp({ env: { CLAMAV_URL: clamd.url }, startQueue: true });
    try {
      const person = await signInAs(t, 'user');
      const item = await uploadAs(t, person, '/attachments', 'big.pdf', pdfBytes(512 * 1024));
      expect(item.scan_status).toBe('pending');
      expect((await t.app.inject({ method: 'GET', url: item.url })).statusCode).toBe(409);
    } finally {
      await t.close();
      await clamd.close();
    }
  });
});

describe('scanner port', () => {
  it('scans nothing when off, and says so', async () => {
    expect(scanningOff.enabled).toBe(false);
    expect(await scanningOff.ping()).toBe(true);
    await expect(scanningOff.scan(Readable.from([]))).rejects.toThrow(/off/);
  });

  it('reports a clamd that does not answer over TCP', async () => {
    const scanner = createClamdScanner('tcp://127.0.0.1:1');
    expect(await scanner.ping()).toBe(false);
    await expect(scanner.scan(Readable.from([Buffer.from('x')]))).rejects.toThrow();
  });
});

describe('files.rescan (job files.scan)', () => {
  let t: TestApp;
  let root: string;
  let verdict: ScanVerdict | 'down';
  const scanner: Scanner = {
    enabled: true,
    async scan(body) {
      await buffer(body);
      if (verdict === 'down') throw new Error('clamd is down');
      return verdict;
    },
    ping: async () => verdict !== 'down',
  };

  beforeAll(async () => {
    t = await createTestApp({ startQueue: true });
    root = mkdtempSync(path.join(os.tmpdir(), 'ttb-rescan-'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(root, { recursive: true, force: true });
  });

  function service() {
    const { database, clock, queue, notifications, uow } = t.container;
    return createFileService({
      db: database.db,
      clock,
      blobs: createLocalBlobStore(path.join(root, 'files')),
      scanner,
      urls: createFileUrls(new Uint8Array(32), clock),
      queue,
      logger: pino({ level: 'silent' }),
      stagingDir: path.join(root, 'uploads'),
      userAccess: (userId) => t.container.users.getAccess(userId),
      alertStaff: createMalwareAlert({ uow, notifications }),
    });
  }

  async function pendingUpload(files: ReturnType<typeof service>, bytes: Buffer, name: string) {
    const person = await signInAs(t, 'user');
    verdict = 'down';
    const [item] = await files.upload(
      { userId: person.id, role: 'user', sessionId: 's' },
      null,
      (async function* () {
        yield { file: Readable.from([bytes]), filename: name };
      })(),
    );
    if (!item) throw new Error('no upload');
    expect(item.scan_status).toBe('pending');
    return item;
  }

  it('marks a pending file clean once clamd answers', async () => {
    const files = service();
    const item = await pendingUpload(files, pdfBytes(), 'a.pdf');
    verdict = { infected: false };
    await files.rescan(item.id);
    const [row] = await t.container.database.db
      .select()
      .from(attachments)
      .where(eq(attachments.id, item.id));
    expect(row?.scanStatus).toBe('clean');
    await files.rescan(item.id);
  });

  it('quarantines a pending file found infected, previews and all', async () => {
    const files = service();
    const item = await pendingUpload(files, await pngBytes(), 'a.png');
    expect(item.preview_url).not.toBeNull();
    await expect(files.rescan(item.id)).rejects.toThrow(/down/);
    verdict = { infected: true, signature: 'Test.Sig' };
    await files.rescan(item.id);
    const [row] = await t.container.database.db
      .select()
      .from(attachments)
      .where(eq(attachments.id, item.id));
    expect(row).toMatchObject({
      scanStatus: 'infected',
      storageKey: `quarantine/${item.id}`,
      previewKey: null,
    });
    const blobs = createLocalBlobStore(path.join(root, 'files'));
    expect(await blobs.exists(`files/${item.id}`)).toBe(false);
    expect(await blobs.exists(`previews/${item.id}-small.webp`)).toBe(false);
    const kept = await blobs.get(`quarantine/${item.id}`);
    expect(kept && (await buffer(kept)).length).toBeGreaterThan(0);
  });

  it('tells every active staff member of the quarantine, in their language', async () => {
    const { users, database } = t.container;
    const staff = [];
    for (const [id, language_code] of [
      [7_600_001, 'ru'],
      [7_600_002, 'en'],
    ] as const) {
      const user = await users.upsertFromTelegram({ id, first_name: 'Staff', language_code });
      await users.setRole(user.id, 'agent');
      staff.push(user.id);
    }
    const files = service();
    const item = await pendingUpload(files, pdfBytes(), 'invoice.pdf');
    const [uploaded] = await database.db
      .select()
      .from(attachments)
      .where(eq(attachments.id, item.id));
    verdict = { infected: true, signature: 'Test.Sig' };
    await files.rescan(item.id);
    const alerts = await database.db
      .select()
      .from(notifications)
      .where(eq(notifications.type, 'system'));
    const alertOf = (userId: string | undefined) => alerts.find((a) => a.userId === userId);
    expect(alertOf(staff[0])).toMatchObject({
      title: 'Заблокирован вредоносный файл',
      content:
        `Файл «invoice.pdf», загруженный пользователем ${uploaded?.uploaderId}, содержит ` +
        'вредоносный код и помещён в карантин.',
      internal: true,
    });
    expect(alertOf(staff[1])).toMatchObject({
      title: 'Malware blocked',
      content: `The file “invoice.pdf” uploaded by user ${uploaded?.uploaderId} contains malware and was quarantined.`,
      internal: true,
    });
    expect(alerts.filter((a) => a.userId === uploaded?.uploaderId)).toEqual([]);
  });
});
