import type { Tx } from '../db/client.js';
import { slaAlerts } from '../db/schema.js';
import type { Work } from '../events/unit-of-work.js';
import type { NotificationService, TicketFacts } from '../notifications/service.js';
import type { SettingsService } from '../settings/service.js';
import {
  followSla,
  slaAt,
  type SlaChange,
  type SlaColumns,
  type SlaLevel,
  type SlaTarget,
  type SlaTicket,
} from './sla-state.js';

/**
 * Creates the SLA service: the rules of service level targets (`sla-state.ts`) with the saved
 * targets and support hours, for the tickets service, which writes the columns in the
 * transaction of each change; and the notices owed as time passes, each sent once
 * (`sla_alerts`, which this service owns).
 */
export function createSlaService(deps: {
  settings: Pick<SettingsService, 'current'>;
  notifications: Pick<NotificationService, 'slaAlert'>;
}) {
  const { settings, notifications } = deps;

  return {
    /** The ticket's SLA columns after a change (`before` null: being opened), in `tx`. */
    async follow(
      tx: Tx,
      before: SlaTicket | null,
      after: Pick<SlaTicket, 'status' | 'priority'>,
      change: SlaChange,
    ): Promise<SlaColumns> {
      const { sla, support_hours: hours } = await settings.current(tx);
      return followSla(before, after, change, sla, hours);
    },

    /**
     * The ticket's state at `now` (the SLA job), with the notices owed written once each per
     * ticket, cycle, target and level: a notice another worker already wrote is not written
     * again. Past both levels of a target at once (a late run), only the breach is told.
     */
    async recheck(work: Work, ticket: SlaTicket & TicketFacts, now: Date): Promise<SlaColumns> {
      const { columns, owed } = slaAt(ticket, now);
      await tell(work, ticket, owed, now);
      return columns;
    },
  };

  /** Writes the notices `owed` that nobody wrote yet for this cycle, and tells their people. */
  async function tell(
    work: Work,
    ticket: SlaTicket & TicketFacts,
    owed: { target: SlaTarget; level: SlaLevel }[],
    now: Date,
  ): Promise<void> {
    const cycle = ticket.slaStartedAt;
    if (!cycle || owed.length === 0) return;
    const fresh = await work.tx
      .insert(slaAlerts)
      .values(
        owed.map((alert) => ({
          ticketId: ticket.id,
          cycleStartedAt: cycle,
          ...alert,
          createdAt: now,
        })),
      )
      .onConflictDoNothing()
      .returning({ target: slaAlerts.target, level: slaAlerts.level });
    for (const alert of fresh) {
      const breachedToo = fresh.some(
        (other) => other.target === alert.target && other.level === 'breached',
      );
      if (alert.level === 'warning' && breachedToo) continue;
      const dueAt =
        alert.target === 'first_response' ? ticket.firstResponseDueAt : ticket.resolutionDueAt;
      if (dueAt) await notifications.slaAlert(work, ticket, { ...alert, dueAt });
    }
  }
}

/** The SLA service. */
export type SlaService = ReturnType<typeof createSlaService>;
