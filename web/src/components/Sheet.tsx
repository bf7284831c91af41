import { useEffect } from 'react';

/**
 * A sheet from the bottom of the screen over a dimmed page: a question and its answers. Escape
 * or a tap on the dimmed page closes it.
 */
export function Sheet({
  title,
  onClose,
  children,
}: Readonly<{ title: string; onClose: () => void; children: React.ReactNode }>) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="sheet-backdrop" onClick={onClose}>
      <div
        className="sheet"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        onClick={(event) => event.stopPropagation()}
      >
        <h2 className="sheet-title">{title}</h2>
        {children}
      </div>
    </div>
  );
}
