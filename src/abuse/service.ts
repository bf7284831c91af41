import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { v5 as uuidv5 } from 'uuid';
import type { AuditLog } from '../audit/service.js';
import type { Actor } from '../auth/principal.js';
import type { Db } from '../db/client.js';
import { Invalid, NotFound } from '../errors.js';
import type { Ban, BanStore, StrikeRule } from '../platform/ban-store.js';
import type { Clock } from '../platform/clock.js';
import type { Metrics } from '../platform/metrics.js';
import { canonicalAddress, createAllowList } from './addresses.js';
import { toBanDto, type BanDto } from './schemas.js';

/** What counts against an address: a failed sign-in, or a request the rate limiter refused. */
export type StrikeReason = 'sign_in' | 'rate_limited';

/** The abuse settings (`ABUSE_*`, docs/operations.md#abuse-guard). */
export interface AbuseSettings {
  /** Strikes within the window that ban; 0: never ban. */
  strikes: number;
  windowS: number;
  banS: number;
  /** Addresses and CIDRs never banned. */
  allowIps: readonly string[];
}

/** What the abuse guard needs. */
export interface AbuseGuardDeps {
  store: BanStore;
  clock: Clock;
  db: Db;
  audit: AuditLog;
  logger: Logger;
  metrics: Pick<Metrics, 'registry' | 'abuseBans'>;
  settings: AbuseSettings;
}

/** The audit log's entity id of an address: the same name-based UUID for every entry about it. */
const addressNamespace = '5b8d723a-2dd7-4f50-a066-e962047e3f12';

const cursorPrefix = 'bans:';

function encodeCursor(ip: string): string {
  return Buffer.from(cursorPrefix + ip).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString();
  if (!text.startsWith(cursorPrefix)) {
    throw new Invalid('The cursor is not one this list gave out', [
      { field: 'query.cursor', message: 'is not a valid cursor for this list' },
    ]);
  }
  return text.slice(cursorPrefix.length);
}

/**
 * The abuse guard: counts strikes against client addresses and bans those with too many, in the
 * shared ban store (Redis when configured, so every process refuses a ban any of them started);
 * admins list and lift bans, each lift written to the audit log.
 */
export function createAbuseGuard(deps: AbuseGuardDeps) {
  const { store, settings, logger } = deps;
  const allowed = createAllowList(settings.allowIps);
  const rule: StrikeRule = {
    limit: settings.strikes,
    windowMs: settings.windowS * 1000,
    banMs: settings.banS * 1000,
  };
  const enabled = settings.strikes > 0;

  deps.metrics.registry.registerMetric(
    new Gauge({
      name: 'ttb_abuse_bans_active',
      help: 'Client addresses banned now (shared through Redis: aggregate with max, not sum)',
      registers: [],
      async collect() {
        this.set((await store.list()).length);
      },
    }),
  );

  return {
    /** The ban refusing `ip` now; never one for an allow-listed address or with bans off. */
    async banOf(ip: string): Promise<Ban | undefined> {
      if (!enabled || allowed(ip)) return undefined;
      return store.banOf(canonicalAddress(ip));
    },

    /** Seconds until `ban` ends, at least 1: its Retry-After. */
    retryAfterS(ban: Ban): number {
      return Math.max(1, Math.ceil((ban.until - deps.clock.now().getTime()) / 1000));
    },

    /** Counts a strike against `ip`; the one that reaches the limit bans it and says so. */
    async strike(ip: string, reason: StrikeReason): Promise<void> {
      if (!enabled || allowed(ip)) return;
      const { started } = await store.strike(canonicalAddress(ip), rule);
      if (!started) return;
      deps.metrics.abuseBans.inc({ reason });
      logger.warn(
        {
          ip: started.ip,
          strikes: started.strikes,
          reason,
          until: new Date(started.until).toISOString(),
        },
        'abuse: address banned after repeated strikes',
      );
    },

    /** The bans in force, by address, a page at a time. */
    async list(query: { limit: number; cursor?: string }): Promise<{
      items: BanDto[];
      next_cursor: string | null;
    }> {
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const bans = (await store.list())
        .filter((ban) => after === undefined || ban.ip > after)
        .sort((a, b) => (a.ip < b.ip ? -1 : 1));
      const page = bans.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: page.map(toBanDto),
        next_cursor: bans.length > query.limit && last ? encodeCursor(last.ip) : null,
      };
    },

    /** Lifts the ban on `ip` (404 when there is none), recorded as `ip_ban.lifted` by `actor`. */
    async lift(actor: Actor, ip: string): Promise<void> {
      const address = canonicalAddress(ip);
      const ban = await store.banOf(address);
      if (!ban) throw new NotFound(`No ban on ${address}`);
      await deps.db.transaction(async (tx) => {
        await deps.audit.record(tx, {
          actorId: actor.userId,
          action: 'ip_ban.lifted',
          entityType: 'ip_ban',
          entityId: uuidv5(address, addressNamespace),
          before: toBanDto(ban),
          after: null,
        });
        await store.lift(address);
      });
      logger.info({ ip: address, actor_id: actor.userId }, 'abuse: ban lifted by an admin');
    },
  };
}

/** The abuse guard. */
export type AbuseGuard = ReturnType<typeof createAbuseGuard>;
