import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { expect } from 'vitest';
import type { AttachmentDto } from '../src/files/schemas.js';
import type { TestApp } from './app.js';
import type { Person } from './people.js';

/** One file part of a multipart body. */
export interface FilePart {
  name: string;
  bytes: Buffer;
  /** The declared type, which the server must ignore. */
  type?: string;
}

/** A `multipart/form-data` body of `files` (field `file`), as a browser's FormData sends it. */
export function multipartBody(files: FilePart[]): {
  payload: Buffer;
  headers: { 'content-type': string };
} {
  const boundary = `----ttb${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const file of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; ` +
          `filename="${file.name}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      file.bytes,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** A small PNG of `width` × `height` pixels. */
export function pngBytes(width = 64, height = 48): Promise<Buffer> {
  return sharp({
    create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } },
  })
    .png()
    .toBuffer();
}

/** A JPEG with EXIF (orientation 6: rotated 90°) and a camera make, to see both go. */
export function jpegWithExif(width = 400, height = 300): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#3366cc' } })
    .jpeg()
    .withMetadata({ orientation: 6, exif: { IFD0: { Make: 'TestCam' } } })
    .toBuffer();
}

/**
 * The start of a HEIC file (an ISO-BMFF `ftyp` box with the `heic` brand) without a decodable
 * image: what file-type calls image/heic, and what this sharp build cannot preview.
 */
export function heicBytes(): Buffer {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypheic', 4, 'latin1');
  ftyp.write('mif1heic', 16, 'latin1');
  return Buffer.concat([ftyp, Buffer.alloc(4096)]);
}

/** A minimal one-page PDF. */
export function pdfBytes(padTo = 0): Buffer {
  const pdf = Buffer.from(
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n' +
      '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
      '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n' +
      'trailer<</Root 1 0 R>>\n%%EOF\n',
  );
  return padTo > pdf.length ? Buffer.concat([pdf, Buffer.alloc(padTo - pdf.length, 0x20)]) : pdf;
}

/** The start of an ELF executable, padded: what a disguised binary looks like. */
export function elfBytes(): Buffer {
  const header = Buffer.alloc(256);
  header.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  return header;
}

/** CRC-32 of a PNG chunk's type and data, as the format requires. */
function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A small PNG whose header declares `width` × `height` pixels (a decompression bomb's shape):
 * a few kilobytes that would decode to gigabytes.
 */
export function pngDeclaring(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, deflate, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64 * 1024))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A GIF of `frames` frames on a `size` × `size` screen, each frame one pixel of data: a file of
 * about a kilobyte that a decoder would expand to frames × size² pixels. Written byte by byte
 * (https://www.w3.org/Graphics/GIF/spec-gif89a.txt), since encoding real frames of that size
 * takes seconds.
 */
export function gifDeclaring(frames: number, size: number): Buffer {
  const u16 = (n: number) => [n & 0xff, n >> 8];
  const bytes = [
    ...Buffer.from('GIF89a'),
    ...u16(size),
    ...u16(size),
    0x80, // a global colour table of two colours
    0,
    0,
    ...[0, 0, 0, 0xff, 0xff, 0xff],
    // Loop forever (the NETSCAPE2.0 application extension).
    ...[0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0'), 0x03, 0x01, 0x00, 0x00, 0x00],
  ];
  for (let i = 0; i < frames; i += 1) {
    bytes.push(0x21, 0xf9, 0x04, 0x00, 0x0a, 0x00, 0x00, 0x00); // 0.1 s per frame
    // A 1×1 frame at the top left: LZW minimum code size 2, then clear, colour 0, end.
    bytes.push(0x2c, 0, 0, 0, 0, ...u16(1), ...u16(1), 0x00, 0x02, 0x02, 0x44, 0x01, 0x00);
  }
  bytes.push(0x3b);
  return Buffer.from(bytes);
}

/** An attachment as the API returns it (the server's schema; the Mini App's is generated from it). */
export type Attachment = AttachmentDto;

/** Every file under `dir`, recursively (empty directories do not count). */
export function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name));
  } catch {
    return [];
  }
}

/** A request body with its own headers (a multipart body, or one written by hand). */
export interface RequestBody {
  payload: Buffer;
  headers: object;
}

/**
 * Requests the attachment tests make again and again, bound to the app `current()` returns
 * (a getter, because suites create their app in `beforeAll`).
 */
export function attachmentRequests(current: () => TestApp) {
  const send = (person: Person, url: string, body: RequestBody) =>
    current().app.inject({
      method: 'POST',
      url: `/api/v1${url}`,
      headers: { ...person.headers, ...body.headers },
      payload: body.payload,
    });
  const upload = (person: Person, url: string, files: FilePart[]) =>
    send(person, url, multipartBody(files));
  /** Uploads one file, insists on 201 and returns the attachment. */
  const uploadOne = async (person: Person, url: string, file: FilePart) => {
    const response = await upload(person, url, [file]);
    expect(response.statusCode, response.body).toBe(201);
    const [item] = response.json<{ items: Attachment[] }>().items;
    if (!item) throw new Error('no attachment');
    return item;
  };
  const get = (url: string, person?: Person, headers: Record<string, string> = {}) =>
    current().app.inject({ method: 'GET', url, headers: { ...person?.headers, ...headers } });
  /** The files the app keeps on disk: stored files and pending uploads. */
  const stored = () => {
    const dataDir = current().container.config.DATA_DIR;
    return [
      ...filesUnder(path.join(dataDir, 'files')),
      ...filesUnder(path.join(dataDir, 'uploads')),
    ];
  };
  return { send, upload, uploadOne, get, stored };
}
