import { queuedJob, type JobDefinition } from '../jobs/registry.js';
import { fileJobNames } from './file-store.js';
import type { FileService } from './service.js';

/** When the sweep of uploads nobody attached runs: hourly, at a quiet minute. */
const purgeSchedule = '17 * * * *';

/**
 * The files' jobs: scans that could not run at upload (clamd was unreachable), and the hourly
 * removal of uploads left unattached for 24 hours.
 */
export function fileJobs(files: Pick<FileService, 'rescan' | 'purgeOrphans'>): JobDefinition[] {
  return [
    queuedJob<{ id: string }>(fileJobNames.scan, async (job) => {
      await files.rescan(job.data.id);
    }),
    queuedJob(
      fileJobNames.purgeOrphans,
      async () => {
        await files.purgeOrphans();
      },
      { schedule: purgeSchedule },
    ),
  ];
}
