import { useEffect, useState } from 'react';
import type { Ticket } from '../api/types';
import { t } from '../i18n';

/** How often the badges look at the clock: the time left is shown to the minute. */
const tickMs = 15_000;

/** The time now, moved on every `tickMs`, so a badge changes as time passes without a reload. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), tickMs);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** A span of time in days, hours and minutes, largest two units ("2h 10m", "3d 4h", "5m"). */
function span(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return t('slaSpanDays', { d: days, h: hours });
  if (hours > 0) return t('slaSpanHours', { h: hours, m: rest });
  return t('slaSpanMinutes', { m: rest });
}

type Sla = NonNullable<Ticket['sla']>;

/**
 * Where the ticket stands now: the server's state, moved on by the page's own clock at the
 * warn and due instants it gave (`next_warn_at`, `next_due_at`), so it turns without a reload.
 */
export function slaNow(sla: Sla, now: number): { state: Sla['state']; label: string } {
  const due = sla.next_due_at ? Date.parse(sla.next_due_at) : null;
  const warn = sla.next_warn_at ? Date.parse(sla.next_warn_at) : null;
  if (sla.state === 'paused') return { state: 'paused', label: t('slaPaused') };
  if (due === null) {
    return sla.state === 'breached'
      ? { state: 'breached', label: t('slaBreached') }
      : { state: 'met', label: t('slaMet') };
  }
  if (now >= due) return { state: 'breached', label: t('slaOverdue', { time: span(now - due) }) };
  let state: Sla['state'] = 'ok';
  if (sla.state === 'breached') state = 'breached';
  else if (warn !== null && now >= warn) state = 'warning';
  return { state, label: t('slaLeft', { time: span(due - now) }) };
}

/** A ticket's service level as a coloured pill with the time left, live; nothing without one. */
export function SlaBadge({ sla }: Readonly<{ sla: Ticket['sla'] }>) {
  const now = useNow();
  if (!sla) return null;
  const { state, label } = slaNow(sla, now);
  return (
    <span
      className={`pill sla-${state}`}
      data-testid="sla-badge"
      data-state={state}
      title={t('sla')}
    >
      {label}
    </span>
  );
}
