import { useRef } from 'react';
import { formatSize, type PickedFile } from '../attachments';
import { t } from '../i18n';

/** Picked files with thumbnails and upload progress, and the button to pick more. */
export function FilePicker({
  files,
  onPick,
  onRemove,
  compact = false,
}: Readonly<{
  files: PickedFile[];
  onPick: (files: FileList) => void;
  onRemove: (key: string) => void;
  compact?: boolean;
}>) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className={compact ? 'file-picker compact' : 'file-picker'}>
      {files.length > 0 && (
        <ul className="picked-files">
          {files.map((file) => (
            <li key={file.key} className={file.error ? 'picked error' : 'picked'}>
              {file.thumb ? (
                <img src={file.thumb} alt="" className="picked-thumb" />
              ) : (
                <span className="picked-thumb doc" aria-hidden="true">
                  📄
                </span>
              )}
              <span className="picked-name">
                {file.name}
                <small>{file.error ?? formatSize(file.blob.size)}</small>
                <progress
                  max={1}
                  value={file.attachment ? 1 : Math.min(file.progress, 0.95)}
                  aria-label={file.name}
                />
              </span>
              <button
                type="button"
                className="icon-button"
                aria-label={`${t('remove')} ${file.name}`}
                onClick={() => onRemove(file.key)}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="file-input"
        accept="image/*,application/pdf,.txt,.log,.zip,.doc,.docx,.xls,.xlsx,.csv"
        onChange={(event) => {
          if (event.target.files?.length) onPick(event.target.files);
          event.target.value = '';
        }}
      />
      <button
        type="button"
        className={compact ? 'icon-button attach' : 'attach-button'}
        aria-label={t('addFiles')}
        onClick={() => input.current?.click()}
      >
        📎{compact ? '' : ` ${t('addFiles')}`}
      </button>
    </div>
  );
}
