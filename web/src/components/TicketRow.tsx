import type { Category, Ticket } from '../api/types';
import { formatDateTime } from '../i18n';
import { navigate } from '../router';
import { haptic } from '../telegram';
import { SlaBadge } from './SlaBadge';
import { CategoryIcon, PriorityBadge, StatusBadge } from './StatusBadge';

/** One ticket in a list: category, number, title, status, priority, SLA, last activity. */
export function TicketRow({
  ticket,
  category,
}: Readonly<{
  ticket: Ticket;
  category: Category | undefined;
}>) {
  return (
    <a
      className="ticket-row"
      href={`/tickets/${ticket.id}`}
      onClick={(event) => {
        event.preventDefault();
        haptic('tap');
        navigate(`/tickets/${ticket.id}`);
      }}
    >
      <CategoryIcon icon={category?.icon} color={category?.color} />
      <span className="ticket-row-body">
        <span className="ticket-row-head">
          <span className="ticket-number">#{ticket.number}</span>
          <span className="ticket-row-category">{category?.name}</span>
          <time dateTime={ticket.updated_at}>{formatDateTime(ticket.updated_at)}</time>
        </span>
        <span className="ticket-row-title">{ticket.title}</span>
        <span className="ticket-row-meta">
          <StatusBadge status={ticket.status} />
          <PriorityBadge priority={ticket.priority} quiet />
          <SlaBadge sla={ticket.sla} />
        </span>
      </span>
    </a>
  );
}
