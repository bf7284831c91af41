/** The queued job that fetches one user's avatar (`users/jobs.ts`, `avatars.ts`). */
export const avatarJob = 'users.avatar';

/** A refresh job's data. */
export interface AvatarJob {
  user_id: string;
}

/**
 * Avatars are looked for again at most this often: sign-in queues a refresh once the last look
 * is older (`UserService.upsertFromTelegram`).
 */
export const avatarMaxAgeMs = 86_400_000;
