import { queuedJob, type JobDefinition } from '../jobs/registry.js';
import { avatarJob, type AvatarJob } from './avatar-job.js';
import type { AvatarService } from './avatars.js';

/** The users' jobs: fetching an avatar that sign-in found missing or a day old. */
export function userJobs(avatars: Pick<AvatarService, 'refresh'>): JobDefinition[] {
  return [
    queuedJob<AvatarJob>(avatarJob, async (job) => {
      await avatars.refresh(job.data.user_id);
    }),
  ];
}
