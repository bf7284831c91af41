/** The kinds of file we accept, each with its size limit. */
export type FileKind = 'image' | 'document' | 'archive';

const MB = 1024 * 1024;

/** Size limits per kind (docs/api.md#attachments): images 10 MB, documents and archives 20 MB. */
export const sizeLimits: Record<FileKind, number> = {
  image: 10 * MB,
  document: 20 * MB,
  archive: 20 * MB,
};

/** The largest file of any kind: the streaming cut-off before the type is known. */
export const maxFileSize = Math.max(...Object.values(sizeLimits));

/** The allow-list: MIME types as file-type detects them from the bytes, with their kind. */
export const allowedTypes: Record<string, FileKind> = {
  'image/jpeg': 'image',
  'image/png': 'image',
  'image/webp': 'image',
  'image/gif': 'image',
  'image/heic': 'image',
  'image/heif': 'image',
  'application/pdf': 'document',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'document',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'document',
  'application/vnd.oasis.opendocument.text': 'document',
  'text/plain': 'document',
  'text/csv': 'document',
  'application/zip': 'archive',
  'application/x-7z-compressed': 'archive',
  'application/x-rar-compressed': 'archive',
};

/** Images sharp re-encodes and previews: the still formats every browser shows. */
export const webImageTypes = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

/** Types a browser may show inline: raster images only, never anything that can run script. */
export function servedInline(mimeType: string): boolean {
  return webImageTypes.has(mimeType);
}

/**
 * The type of a file without magic bytes: text, only when the name says `.txt` or `.csv` and
 * the bytes are valid UTF-8 without NUL characters (checked by the caller while streaming).
 */
export function textTypeOf(fileName: string): string | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.txt')) return 'text/plain';
  if (lower.endsWith('.csv')) return 'text/csv';
  return undefined;
}

/** Longest file name kept, in characters (the extension survives the cut). */
const maxNameLength = 150;

/**
 * A harmless file name: no directories (either slash), no control, format or bidi-override
 * characters, no leading dots, at most 150 characters; Unicode letters are kept.
 */
export function sanitizeFileName(raw: string | undefined, fallback = 'file'): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    .replaceAll(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replaceAll(/["<>:|?*]/g, '_')
    .replaceAll(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
    .trim();
  const characters = [...cleaned];
  if (characters.length === 0) return fallback;
  if (characters.length <= maxNameLength) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 ? [...cleaned.slice(dot)].slice(0, 16).join('') : '';
  return characters.slice(0, maxNameLength - [...extension].length).join('') + extension;
}

/** `Content-Disposition` with an ASCII fallback and the UTF-8 name per RFC 5987/6266. */
export function contentDisposition(type: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replaceAll(/[^\x20-\x7e]/g, '_').replaceAll(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replaceAll(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
