import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileTypeFromBuffer, fileTypeFromFile } from 'file-type';
import { DomainError } from '../errors.js';
import {
  allowedTypes,
  maxFileSize,
  sanitizeFileName,
  sizeLimits,
  textTypeOf,
  type FileKind,
} from './file-types.js';

/** 413: the file is larger than its kind allows. */
export class FileTooLarge extends DomainError {
  constructor(limit: number, kind: string) {
    super(
      413,
      `Files of this kind (${kind}) may be at most ${limit / (1024 * 1024)} MB`,
      'file_too_large',
    );
  }
}

/** 415: the bytes are not of an allowed type, whatever the name says. */
export class UnsupportedFileType extends DomainError {
  constructor(detail = 'This type of file is not accepted') {
    super(415, detail, 'unsupported_file_type');
  }
}

/** 400: the multipart body itself is broken (no boundary, cut short). */
class MalformedUpload extends DomainError {
  constructor(detail: string) {
    super(400, `The multipart body cannot be read: ${detail}`, 'malformed_multipart');
  }
}

/**
 * An error of reading the request body as it is: our own and the parser's 4xx pass through;
 * anything else the parser raised (busboy's plain errors) is the client's malformed body.
 */
export function asClientError(error: unknown): Error {
  if (error instanceof DomainError) return error;
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return error as Error;
  return new MalformedUpload(error instanceof Error ? error.message : String(error));
}

/** An upload received in full into a temporary file and checked; not yet stored. */
export interface StagedFile {
  /** The temporary file; the caller removes it with {@link discardStaged}. */
  path: string;
  size: number;
  mimeType: string;
  kind: FileKind;
  fileName: string;
}

/** Bytes file-type needs to recognise most formats from the start of a file. */
const headBytes = 4100;

/** Counts bytes as they pass, cutting the stream off as soon as the limit is crossed. */
function limiter(onHead: (head: Buffer) => Promise<void>) {
  let size = 0;
  let head: Buffer[] = [];
  let headSize = 0;
  let headDone = false;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const state = { size: 0, limit: maxFileSize, kind: 'document', text: true };

  const checkText = (chunk: Buffer) => {
    if (!state.text) return;
    try {
      utf8.decode(chunk, { stream: true });
      if (chunk.includes(0)) state.text = false;
    } catch {
      state.text = false;
    }
  };

  const take = async (chunk: Buffer) => {
    size += chunk.length;
    state.size = size;
    checkText(chunk);
    if (!headDone) {
      head.push(chunk);
      headSize += chunk.length;
      if (headSize >= headBytes) {
        headDone = true;
        await onHead(Buffer.concat(head));
        head = [];
      }
    }
    if (size > state.limit) throw new FileTooLarge(state.limit, state.kind);
  };

  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      take(chunk).then(
        () => callback(null, chunk),
        (error: unknown) => callback(error as Error),
      );
    },
    flush(callback) {
      try {
        utf8.decode();
      } catch {
        state.text = false;
      }
      callback();
    },
  });
  return { stream, state };
}

/** Removes a staged file's temporary copy. */
export async function discardStaged(file: { path: string }): Promise<void> {
  await rm(file.path, { force: true });
}

/** The name with an extension matching the detected type, so a download opens as what it is. */
function withExtension(fileName: string, extension: string | undefined): string {
  if (!extension) return fileName;
  const current = path.extname(fileName).slice(1).toLowerCase();
  const same = current === extension || (extension === 'jpg' && current === 'jpeg');
  return same ? fileName : `${fileName}.${extension}`;
}

/**
 * Streams an upload into a temporary file under `tmpDir` while counting it: an image is cut off
 * past 10 MB (known from its first bytes) and anything past 20 MB, with 413. The type then comes
 * from the bytes (file-type; text by name only when it is valid UTF-8 without NULs); anything
 * off the allow-list is 415. Nothing is left behind on failure.
 */
export async function stageUpload(
  source: Readable,
  rawName: string | undefined,
  tmpDir: string,
): Promise<StagedFile> {
  await mkdir(tmpDir, { recursive: true });
  const tempPath = path.join(tmpDir, `${randomUUID()}.upload`);
  const { stream, state } = limiter(async (head) => {
    const early = await fileTypeFromBuffer(head);
    if (early && allowedTypes[early.mime] === 'image') {
      state.limit = sizeLimits.image;
      state.kind = 'image';
    }
  });
  try {
    await pipeline(source, stream, createWriteStream(tempPath)).catch((error: unknown) => {
      // The request body broke off or was malformed: the client's fault, not ours.
      throw error === source.errored ? asClientError(error) : error;
    });
    // Multipart parsers mark a part cut at their own limit instead of failing the stream.
    if ((source as Readable & { truncated?: boolean }).truncated) {
      throw new FileTooLarge(state.limit, state.kind);
    }
    const detected = await fileTypeFromFile(tempPath);
    const baseName = sanitizeFileName(rawName);
    const mimeType =
      detected?.mime ?? (state.text && state.size > 0 ? textTypeOf(baseName) : undefined);
    const kind = mimeType ? allowedTypes[mimeType] : undefined;
    if (!mimeType || !kind) {
      throw new UnsupportedFileType(
        detected
          ? `Files of type ${detected.mime} are not accepted`
          : 'This type of file is not accepted (its content is not a known allowed format)',
      );
    }
    if (state.size > sizeLimits[kind]) throw new FileTooLarge(sizeLimits[kind], kind);
    return {
      path: tempPath,
      size: state.size,
      mimeType,
      kind,
      fileName: withExtension(baseName, detected?.ext),
    };
  } catch (error) {
    await rm(tempPath, { force: true });
    // The rest of a cut-off upload is not wanted; stop reading it.
    source.resume();
    throw error;
  }
}
