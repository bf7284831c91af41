import type SharpModule from 'sharp';
import { DomainError } from '../errors.js';
import { UnsupportedFileType } from './staging.js';
import { webImageTypes } from './file-types.js';

/** The preview sizes: the longer side, in pixels. */
export const previewSizes = { small: 320, large: 1280 } as const;

/** A preview size name. */
export type PreviewSize = keyof typeof previewSizes;

/** An image made safe to serve, with its previews. */
export interface ProcessedImage {
  /** The re-encoded image: same format, orientation applied, metadata (EXIF, GPS) gone. */
  image: Buffer;
  previews: Record<PreviewSize, Buffer>;
}

/**
 * The most pixels an image may decode to, all frames of an animation together: 50 MP takes a
 * 50-megapixel phone photo, and keeps a few-kilobyte "decompression bomb" from costing
 * gigabytes of memory or seconds of CPU per frame (sharp's own default is 268 MP).
 */
export const maxImagePixels = 50_000_000;

const readOptions = { failOn: 'error', limitInputPixels: maxImagePixels } as const;

let loaded: Promise<typeof SharpModule> | undefined;

/** sharp, loaded on the first image rather than at start-up (it is a large native module). */
function loadSharp(): Promise<typeof SharpModule> {
  loaded ??= import('sharp').then((module) => module.default);
  return loaded;
}

/** 413: the image would decode to more pixels than we process. */
export class ImageTooLarge extends DomainError {
  constructor(pixels: number) {
    super(
      413,
      `The image has ${Math.round(pixels / 1e6)} megapixels (all frames together); ` +
        `at most ${maxImagePixels / 1e6} are accepted`,
      'image_too_large',
    );
  }
}

/** Refuses an image whose header declares too many pixels, before anything is decoded. */
async function refuseHuge(file: string): Promise<void> {
  const sharp = await loadSharp();
  const { width, height, pages } = await sharp(file, { limitInputPixels: false }).metadata();
  const pixels = width * height * (pages ?? 1);
  if (pixels > maxImagePixels) throw new ImageTooLarge(pixels);
}

async function reencode(file: string, mimeType: string): Promise<Buffer> {
  const animated = mimeType === 'image/gif' || mimeType === 'image/webp';
  const sharp = await loadSharp();
  const image = sharp(file, { ...readOptions, animated }).rotate();
  switch (mimeType) {
    case 'image/jpeg':
      return image.jpeg({ quality: 90 }).toBuffer();
    case 'image/png':
      return image.png().toBuffer();
    case 'image/webp':
      return image.webp({ quality: 90 }).toBuffer();
    default:
      return image.gif().toBuffer();
  }
}

/** A WebP preview of the first frame fitting inside `size` × `size`, never enlarged. */
async function preview(input: string | Buffer, size: number): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(input, readOptions)
    .rotate()
    .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
}

/**
 * Re-encodes a web image (JPEG, PNG, WebP, GIF) so no client-supplied bytes are served, and
 * makes its WebP previews. An image sharp cannot read is refused (415). Other images (HEIC) are
 * kept as they are, with previews when this build of sharp can decode them.
 */
export async function processImage(
  file: string,
  mimeType: string,
): Promise<{ image?: Buffer; previews?: Record<PreviewSize, Buffer> }> {
  if (!webImageTypes.has(mimeType)) {
    try {
      await refuseHuge(file);
      return {
        previews: {
          small: await preview(file, previewSizes.small),
          large: await preview(file, previewSizes.large),
        },
      };
    } catch {
      return {};
    }
  }
  await refuseHuge(file).catch((error: unknown) => {
    if (error instanceof ImageTooLarge) throw error;
    throw new UnsupportedFileType('The image cannot be read; it may be damaged');
  });
  try {
    // From the original file, in parallel: JPEG's shrink-on-load makes the previews cheap.
    const [image, small, large] = await Promise.all([
      reencode(file, mimeType),
      preview(file, previewSizes.small),
      preview(file, previewSizes.large),
    ]);
    return { image, previews: { small, large } };
  } catch {
    throw new UnsupportedFileType('The image cannot be read; it may be damaged');
  }
}
