import type { Readable } from 'node:stream';
import { GrammyError, type Api } from 'grammy';
import type { Logger } from 'pino';
import { isStaff } from '../auth/permissions.js';
import type { Actor } from '../auth/principal.js';
import { NotFound } from '../errors.js';
import { maxImagePixels } from '../files/images.js';
import type { BlobStore } from '../platform/blob-store.js';
import type { Clock } from '../platform/clock.js';
import type { TelegramFiles } from '../telegram/file-download.js';
import type { UserService } from './service.js';

/** The side of the stored square WebP, in pixels: twice a 64 px list avatar, for sharp screens. */
const AVATAR_SIDE = 128;
/** Profile photos are a few hundred KB at most; more is not a photo we want. */
const MAX_SOURCE_BYTES = 5 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 15_000;

/** Where a user's avatar is stored: one blob per user, replaced on each refresh. */
const avatarKey = (userId: string) => `avatars/${userId}.webp`;

/** The bytes of `body`, or undefined once more than `max` arrive (the rest is not read). */
async function readCapped(body: Readable | AsyncIterable<Uint8Array>, max: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > max) return undefined;
    chunks.push(Buffer.from(chunk as Buffer));
  }
  return Buffer.concat(chunks);
}

/** A small square WebP of the image, or undefined when sharp cannot read it. */
async function toAvatar(bytes: Buffer): Promise<Buffer | undefined> {
  const sharp = (await import('sharp')).default;
  try {
    return await sharp(bytes, { failOn: 'error', limitInputPixels: maxImagePixels })
      .rotate()
      .resize(AVATAR_SIDE, AVATAR_SIDE, { fit: 'cover' })
      .webp({ quality: 80 })
      .toBuffer();
  } catch {
    return undefined;
  }
}

/** A stored avatar, ready to send. */
export interface ServedAvatar {
  body: Readable;
  /** `fetched_at` in epoch seconds: the `?v=` of the current URL. */
  version: number;
  /** Staff avatars may sit in shared caches; customers' are for staff and themself only. */
  shared: boolean;
}

/**
 * Users' avatars: fetched from Telegram (the bot's view of the profile photo,
 * https://core.telegram.org/bots/api#getuserprofilephotos, else the Mini App's `photo_url`),
 * made a 128 px WebP, stored through the blob store, recorded on the user, served to who may
 * see the user.
 */
export function createAvatarService(deps: {
  users: Pick<UserService, 'getById' | 'recordAvatar'>;
  blobs: BlobStore;
  /** The Bot API, when a bot token is configured. */
  telegram?: { api: Api; files: TelegramFiles };
  /**
   * Origins `photo_url` may be fetched from: Telegram's own, and the Bot API root (a self-hosted
   * Bot API server serves its users' photos). Anything else is never fetched.
   */
  photoOrigins: readonly string[];
  clock: Clock;
  logger: Logger;
}) {
  const { users, blobs, telegram, clock, logger } = deps;

  /** The profile photo as the bot sees it (the smallest size of at least 128 px), if any. */
  async function fromBot(telegramId: number): Promise<Buffer | undefined> {
    if (!telegram) return undefined;
    const photos = await telegram.api
      .getUserProfilePhotos(telegramId, { limit: 1 })
      .catch((error: unknown) => {
        // Telegram refusing this user (400, 403) means no photo for us; anything else is retried.
        const refused = error instanceof GrammyError && [400, 403].includes(error.error_code);
        if (refused) return { total_count: 0, photos: [] };
        throw error;
      });
    const sizes = [...(photos.photos[0] ?? [])].sort(
      (a, b) => a.width * a.height - b.width * b.height,
    );
    const size = sizes.find((s) => Math.min(s.width, s.height) >= AVATAR_SIDE) ?? sizes.at(-1);
    if (!size) return undefined;
    const file = await telegram.files.download(size.file_id);
    return readCapped(file.body, MAX_SOURCE_BYTES);
  }

  /** True for an https URL of Telegram's, or one on an origin named in `photoOrigins`. */
  function mayFetch(url: URL): boolean {
    if (deps.photoOrigins.includes(url.origin)) return true;
    const telegramHost =
      url.hostname === 't.me' ||
      url.hostname === 'telegram.org' ||
      url.hostname.endsWith('.telegram.org');
    return url.protocol === 'https:' && telegramHost && url.port === '';
  }

  /** The Mini App's `photo_url`, when it is Telegram's and answers with a small enough body. */
  async function fromPhotoUrl(photoUrl: string | null): Promise<Buffer | undefined> {
    if (!photoUrl || !URL.canParse(photoUrl)) return undefined;
    const url = new URL(photoUrl);
    if (!mayFetch(url)) {
      logger.warn({ origin: url.origin }, 'photo_url is not Telegram’s: not fetched');
      return undefined;
    }
    const response = await fetch(url, {
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      redirect: 'error',
    });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return undefined;
    }
    return readCapped(response.body, MAX_SOURCE_BYTES);
  }

  return {
    /**
     * Looks for the user's photo now and stores it, or records that there is none (the blob
     * removed); either way `avatar_fetched_at` is now, so the next look is a day away. A failure
     * to reach Telegram throws (the job is retried).
     */
    async refresh(userId: string): Promise<void> {
      const user = await users.getById(userId);
      const source = (await fromBot(user.telegramId)) ?? (await fromPhotoUrl(user.avatarUrl));
      const avatar = source && (await toAvatar(source));
      const now = clock.now();
      if (!avatar) {
        if (user.avatarKey) await blobs.delete(user.avatarKey);
        await users.recordAvatar(userId, null, now);
        return;
      }
      const key = avatarKey(userId);
      await blobs.put(key, avatar);
      await users.recordAvatar(userId, key, now);
    },

    /**
     * The avatar of `userId` as `actor` may see it: staff avatars to anyone signed in,
     * customers' to staff and themself; 404 when there is none or it is not theirs to see.
     */
    async open(actor: Actor, userId: string): Promise<ServedAvatar> {
      const user = await users.getById(userId);
      const visible = isStaff(user.role) || isStaff(actor.role) || actor.userId === userId;
      if (!visible || !user.avatarKey || !user.avatarFetchedAt) {
        throw new NotFound('No avatar');
      }
      const body = await blobs.get(user.avatarKey);
      if (!body) throw new NotFound('No avatar');
      return {
        body,
        version: Math.floor(user.avatarFetchedAt.getTime() / 1000),
        shared: isStaff(user.role),
      };
    },
  };
}

/** The avatars service. */
export type AvatarService = ReturnType<typeof createAvatarService>;
