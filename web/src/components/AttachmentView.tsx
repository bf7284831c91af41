import { useState } from 'react';
import type { Attachment } from '../api/types';
import { formatSize } from '../attachments';

/** An attachment: a lazily loaded preview that opens full size, or a download link. */
export function AttachmentView({ attachment }: Readonly<{ attachment: Attachment }>) {
  const [open, setOpen] = useState(false);
  const image = attachment.mime_type.startsWith('image/');
  if (!image) {
    return (
      <a className="attachment-doc" href={attachment.url} download={attachment.file_name}>
        📄 {attachment.file_name} <small>{formatSize(attachment.size)}</small>
      </a>
    );
  }
  return (
    <>
      <button type="button" className="attachment-image" onClick={() => setOpen(true)}>
        <img
          src={attachment.preview_url ?? attachment.url}
          alt={attachment.file_name}
          loading="lazy"
          decoding="async"
          width={160}
          height={120}
        />
      </button>
      {open && (
        <div
          className="lightbox"
          role="dialog"
          aria-label={attachment.file_name}
          onClick={() => setOpen(false)}
        >
          <img src={attachment.url} alt={attachment.file_name} />
        </div>
      )}
    </>
  );
}
