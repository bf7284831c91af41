import { describe, expect, it } from 'vitest';
import { followSla, slaAt, type SlaTargets, type SlaTicket } from './sla-state.js';
import type { SupportHours } from './support-time.js';

const always: SupportHours = { time_zone: 'UTC', days: [], start: '09:00', end: '18:00' };
const targets: SlaTargets = {
  low: { first_response: null, resolution: 100 },
  normal: { first_response: 10, resolution: 100 },
  high: { first_response: 10, resolution: null },
  critical: { first_response: null, resolution: null },
};
const at = (minutes: number) => new Date(Date.UTC(2026, 2, 2, 10, minutes));

/** A ticket opened at minute 0 with `priority`, then moved by `steps` in order. */
function ticketThrough(
  priority: SlaTicket['priority'],
  steps: { minute: number; status?: SlaTicket['status']; staffAnswered?: boolean }[] = [],
): SlaTicket {
  let ticket: SlaTicket = {
    status: 'open',
    priority,
    ...followSla(null, { status: 'open', priority }, { now: at(0) }, targets, always),
  };
  for (const step of steps) {
    const after = { status: step.status ?? ticket.status, priority };
    const change = { now: at(step.minute), staffAnswered: step.staffAnswered ?? false };
    ticket = { ...ticket, ...after, ...followSla(ticket, after, change, targets, always) };
  }
  return ticket;
}

describe('SLA rules', () => {
  it('checks again at the warn instant, then at the due time, and owes each notice once crossed', () => {
    const ticket = ticketThrough('high');
    expect(ticket.slaCheckAt).toEqual(at(8));
    const warned = slaAt(ticket, at(8));
    expect(warned.columns).toMatchObject({ slaState: 'warning', slaCheckAt: at(10) });
    expect(warned.owed).toEqual([{ target: 'first_response', level: 'warning' }]);
    const late = slaAt({ ...ticket, ...warned.columns }, at(10));
    expect(late.columns).toMatchObject({ slaState: 'breached', slaCheckAt: null });
    expect(late.owed).toContainEqual({ target: 'first_response', level: 'breached' });
  });

  it('stays breached while waiting on the customer once a target was missed', () => {
    const ticket = ticketThrough('high', [{ minute: 12, status: 'waiting' }]);
    expect(ticket).toMatchObject({ slaState: 'breached', slaCheckAt: null });
  });

  it('counts a resolution with no staff answer as the first response too', () => {
    const ticket = ticketThrough('normal', [{ minute: 5, status: 'resolved' }]);
    expect(ticket.slaState).toBe('met');
    expect(ticketThrough('normal', [{ minute: 11, status: 'resolved' }]).slaState).toBe('breached');
  });

  it('is met once the only target is met, and checks nothing more', () => {
    const ticket = ticketThrough('high', [{ minute: 3, staffAnswered: true }]);
    expect(ticket).toMatchObject({ slaState: 'met', slaCheckAt: null, slaRespondedAt: at(3) });
  });

  it('keeps only the resolution target for a priority without a first response one', () => {
    const ticket = ticketThrough('low');
    expect(ticket).toMatchObject({ firstResponseDueAt: null, resolutionDueAt: at(100) });
    expect(ticket.slaDueAt).toEqual(at(100));
  });

  it('moves every due time later by the time paused, and a second pause adds to the first', () => {
    const ticket = ticketThrough('normal', [
      { minute: 2, status: 'waiting' },
      { minute: 7, status: 'open' },
      { minute: 9, status: 'waiting' },
      { minute: 12, status: 'in_progress' },
    ]);
    expect(ticket).toMatchObject({
      slaState: 'ok',
      slaPausedMinutes: 8,
      firstResponseDueAt: at(18),
      resolutionDueAt: at(108),
    });
  });

  it('gives a ticket opened before service levels existed none, until it is reopened', () => {
    const old = { ...ticketThrough('critical'), priority: 'normal' as const, slaStartedAt: null };
    const answered = followSla(old, old, { now: at(5), staffAnswered: true }, targets, always);
    expect(answered).toMatchObject({ slaState: null, firstResponseDueAt: null });
    const resolved = { ...old, status: 'resolved' as const };
    const reopened = followSla(
      resolved,
      { status: 'open', priority: 'normal' },
      { now: at(30) },
      targets,
      always,
    );
    expect(reopened).toMatchObject({ slaState: 'ok', firstResponseDueAt: at(40) });
  });

  it('has no state without targets', () => {
    expect(ticketThrough('critical')).toMatchObject({ slaState: null, slaCheckAt: null });
  });

  it('leaves a resolved ticket as its resolution left it when it is closed', () => {
    const resolved = ticketThrough('normal', [{ minute: 5, status: 'resolved' }]);
    const closed = followSla(
      resolved,
      { status: 'closed', priority: 'normal' },
      { now: at(500) },
      targets,
      always,
    );
    expect(closed.slaState).toBe('met');
  });
});
