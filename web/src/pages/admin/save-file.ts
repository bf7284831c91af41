import type { DownloadedFile } from '../../api/client';

/**
 * Saves a downloaded file on the device through a link to it with `download`. (Telegram's
 * `downloadFile` would need a URL the client can fetch without our bearer token, and the export
 * has none: the file is already here, so a blob link saves it in every client that allows
 * downloads from Mini Apps.)
 */
export function saveFile(file: DownloadedFile): void {
  const url = URL.createObjectURL(file.blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.name;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
