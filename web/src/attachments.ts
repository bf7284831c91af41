import { ApiError, upload } from './api/client';
import type { Attachment, AttachmentList } from './api/types';

/** A file picked for upload, and how its upload goes. */
export interface PickedFile {
  key: string;
  name: string;
  blob: Blob;
  /** An object URL for a thumbnail, for images. */
  thumb: string | undefined;
  progress: number;
  attachment?: Attachment;
  /** The server takes files only once the ticket exists: upload after creating it. */
  deferred?: boolean;
  error?: string;
}

const MAX_SIDE = 1600;

/**
 * Shrinks a photo in the browser before upload: at most 1600 px a side, WebP where the browser
 * encodes it, else JPEG. GIFs and anything that does not decode go as they are, as do images
 * that would not get smaller.
 */
export async function compressImage(file: File): Promise<Blob> {
  if (!file.type.startsWith('image/') || file.type === 'image/gif') return file;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return file;
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const encode = (type: string) =>
    new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type, 0.82));
  const webp = await encode('image/webp');
  const blob = webp?.type === 'image/webp' ? webp : await encode('image/jpeg');
  return blob && blob.size < file.size ? blob : file;
}

/** The name to upload a (maybe re-encoded) file under. */
export function uploadName(file: File, blob: Blob): string {
  if (blob === file) return file.name;
  const extension = blob.type === 'image/webp' ? 'webp' : 'jpg';
  return `${file.name.replace(/\.[^.]+$/, '')}.${extension}`;
}

/** Prepares picked files: compressed images with thumbnails, documents as they are. */
export async function prepareFiles(files: FileList | File[]): Promise<PickedFile[]> {
  return Promise.all(
    [...files].map(async (file) => {
      const blob = await compressImage(file);
      return {
        key: crypto.randomUUID(),
        name: uploadName(file, blob),
        blob,
        thumb: file.type.startsWith('image/') ? URL.createObjectURL(blob) : undefined,
        progress: 0,
      };
    }),
  );
}

/**
 * Uploads a picked file to `path` (`/attachments` before the ticket exists,
 * `/tickets/{id}/attachments` after), reporting progress.
 */
export async function uploadFile(
  path: string,
  file: PickedFile,
  onProgress: (share: number) => void,
): Promise<Attachment> {
  const answer = await upload<AttachmentList>(path, file.blob, file.name, onProgress);
  const attachment = answer.items[0];
  if (!attachment) throw new ApiError(500, undefined, 'No attachment in the answer');
  return attachment;
}

/** A size in KB or MB. */
export function formatSize(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${Math.ceil(bytes / 1024)} KB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
