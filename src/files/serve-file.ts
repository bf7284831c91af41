import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AttachmentRow } from '../db/schema.js';
import { DomainError, NotFound } from '../errors.js';
import type { ByteRange } from '../platform/blob-store.js';
import { contentDisposition, servedInline } from './file-types.js';
import { previewKey } from './file-store.js';
import type { PreviewSize } from './images.js';
import type { FileService } from './service.js';

/** 416: the Range header asks for bytes the file does not have. */
class RangeNotSatisfiable extends DomainError {
  constructor(size: number) {
    super(416, `The file has ${size} bytes; the requested range is outside it`, 'bad_range');
  }
}

/**
 * The single byte range of a `Range: bytes=…` header: `a-b`, `a-` or `-n` (the last n bytes).
 * Undefined means "send everything" (no header, another unit, or several ranges, which we may
 * answer in full per RFC 9110); an unsatisfiable or malformed range is 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) {
    if (header.startsWith('bytes=') && !header.includes(',')) throw new RangeNotSatisfiable(size);
    return undefined;
  }
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') throw new RangeNotSatisfiable(size);
  if (first === '') {
    const length = Number(last);
    if (length === 0 || size === 0) throw new RangeNotSatisfiable(size);
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) throw new RangeNotSatisfiable(size);
  return { start, end };
}

/** What to serve: the file itself or one of its previews. */
export type Variant = { kind: 'file' } | { kind: 'preview'; size: PreviewSize };

function blobOf(row: AttachmentRow, variant: Variant) {
  if (variant.kind === 'file') {
    const inline = servedInline(row.mimeType);
    return {
      key: row.storageKey,
      type: row.mimeType,
      disposition: contentDisposition(inline ? 'inline' : 'attachment', row.fileName),
    };
  }
  if (!row.previewKey) throw new NotFound('This file has no preview');
  const name = `${row.fileName.replace(/\.[^.]*$/, '')}-${variant.size}.webp`;
  return {
    key: previewKey(row.previewKey, variant.size),
    type: 'image/webp',
    disposition: contentDisposition('inline', name),
  };
}

/**
 * Sends a stored file with the type detected at upload, `nosniff`, a sandboxing CSP, a
 * Content-Disposition (inline only for raster images), a strong ETag (files never change) and
 * byte ranges (206, 416).
 */
export async function serveFile(
  files: FileService,
  row: AttachmentRow,
  variant: Variant,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const blob = blobOf(row, variant);
  const stat = await files.sizeOf(blob.key);
  if (!stat) throw new NotFound('File not found');
  const etag = `"${row.id}-${variant.kind === 'file' ? 'f' : variant.size}-${stat.size}"`;
  reply
    .header('content-type', blob.type)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('content-disposition', blob.disposition)
    .header('cache-control', 'private, max-age=3600')
    .header('etag', etag)
    .header('accept-ranges', 'bytes');
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  const ifRange = request.headers['if-range'];
  let range: ByteRange | undefined;
  try {
    range = ifRange && ifRange !== etag ? undefined : parseRange(request.headers.range, stat.size);
  } catch (error) {
    reply.header('content-range', `bytes */${stat.size}`);
    throw error;
  }
  const body = await files.open(blob.key, range);
  if (!body) throw new NotFound('File not found');
  if (!range) return reply.header('content-length', stat.size).send(body);
  return reply
    .status(206)
    .header('content-range', `bytes ${range.start}-${range.end}/${stat.size}`)
    .header('content-length', range.end - range.start + 1)
    .send(body);
}
