import type { Priority, Status } from '../api/types';
import { t } from '../i18n';

/** A ticket's status as a coloured pill. */
export function StatusBadge({ status }: Readonly<{ status: Status }>) {
  return <span className={`pill status-${status}`}>{t(`status_${status}`)}</span>;
}

/** A ticket's priority as a coloured pill; nothing for `normal` when `quiet`. */
export function PriorityBadge({
  priority,
  quiet = false,
}: Readonly<{
  priority: Priority;
  quiet?: boolean;
}>) {
  if (quiet && priority === 'normal') return null;
  return <span className={`pill priority-${priority}`}>{t(`priority_${priority}`)}</span>;
}

/** A category's emoji in a circle of its colour. */
export function CategoryIcon({
  icon,
  color,
}: Readonly<{
  icon: string | null | undefined;
  color: string | undefined;
}>) {
  return (
    <span
      className="category-icon"
      style={{ '--category-color': color ?? '#8e8e93' } as React.CSSProperties}
      aria-hidden="true"
    >
      {icon ?? '📁'}
    </span>
  );
}
