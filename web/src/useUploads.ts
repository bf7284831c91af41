import { useCallback, useRef, useState } from 'react';
import { ApiError } from './api/client';
import type { Attachment } from './api/types';
import { prepareFiles, uploadFile, type PickedFile } from './attachments';
import { t } from './i18n';

/**
 * Files picked for a new ticket or message: uploaded at once to `/attachments` with progress;
 * when the server has no such route, kept to upload to the ticket once it exists.
 */
export function useUploads() {
  const [files, setFiles] = useState<PickedFile[]>([]);
  const latest = useRef(files);
  latest.current = files;

  const update = useCallback((key: string, change: Partial<PickedFile>) => {
    setFiles((current) =>
      current.map((file) => (file.key === key ? { ...file, ...change } : file)),
    );
  }, []);

  const pick = useCallback(
    async (list: FileList) => {
      const prepared = await prepareFiles(list);
      setFiles((current) => [...current, ...prepared]);
      await Promise.all(
        prepared.map(async (file) => {
          try {
            const attachment = await uploadFile('/attachments', file, (progress) =>
              update(file.key, { progress }),
            );
            update(file.key, { attachment, progress: 1 });
          } catch (error) {
            if (error instanceof ApiError && (error.status === 404 || error.status === 405)) {
              update(file.key, { deferred: true });
            } else {
              update(file.key, {
                error: error instanceof ApiError ? error.message : t('uploadFailed'),
              });
            }
          }
        }),
      );
    },
    [update],
  );

  const remove = useCallback((key: string) => {
    setFiles((current) => current.filter((file) => file.key !== key));
  }, []);

  /** Uploads what had to wait for the ticket; returns the ids of the files uploaded before. */
  const finish = useCallback(
    async (ticketId: string | undefined): Promise<Attachment[]> => {
      const done: Attachment[] = [];
      for (const file of latest.current) {
        if (!file.deferred || !ticketId) continue;
        const attachment = await uploadFile(`/tickets/${ticketId}/attachments`, file, (progress) =>
          update(file.key, { progress }),
        );
        update(file.key, { attachment, deferred: false });
        done.push(attachment);
      }
      return done;
    },
    [update],
  );

  const uploading = files.some((file) => !file.attachment && !file.deferred && !file.error);
  const ids = files.flatMap((file) => (file.attachment ? [file.attachment.id] : []));
  const reset = useCallback(() => setFiles([]), []);
  return { files, pick, remove, finish, uploading, ids, reset };
}
