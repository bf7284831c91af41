import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createMemoryBanStore, type Ban, type BanStore } from './ban-store.js';

/**
 * One strike, atomically: nothing when the address is banned; else drop the strikes that left
 * the window, add this one, and on the limit-th replace them by a ban in the bans hash (whose
 * key outlives its longest ban). KEYS: strikes (sorted set, scored by time), bans (hash ip →
 * `since:until:strikes`). ARGV: now, window ms, limit, ban ms, ip, member, until.
 */
const strikeScript = `
local now = tonumber(ARGV[1])
local existing = redis.call('HGET', KEYS[2], ARGV[5])
if existing then
  local untilAt = tonumber(string.match(existing, '^%d+:(%d+):'))
  if untilAt and untilAt > now then return {0} end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('ZADD', KEYS[1], now, ARGV[6])
local count = redis.call('ZCARD', KEYS[1])
if count < tonumber(ARGV[3]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {count}
end
redis.call('DEL', KEYS[1])
local ban = ARGV[1] .. ':' .. ARGV[7] .. ':' .. count
redis.call('HSET', KEYS[2], ARGV[5], ban)
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[4]) then
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
return {count, ban}
`;

/** The bans in force (as `ip since:until:strikes`), dropping the ended ones. ARGV: now. */
const listScript = `
local now = tonumber(ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local live = {}
for i = 1, #all, 2 do
  local untilAt = tonumber(string.match(all[i + 1], '^%d+:(%d+):'))
  if untilAt and untilAt > now then
    live[#live + 1] = all[i] .. ' ' .. all[i + 1]
  else
    redis.call('HDEL', KEYS[1], all[i])
  end
end
return live
`;

/** Removes a ban and the strikes of its address; the ban it removed. KEYS: bans, strikes. */
const liftScript = `
local value = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return value
`;

/** A ban from its stored `since:until:strikes`, if it is in force at `now`. */
function parseBan(ip: string, value: string | null | undefined, now: number): Ban | undefined {
  const match = value ? /^(\d+):(\d+):(\d+)$/.exec(value) : null;
  if (!match) return undefined;
  const ban = { ip, since: Number(match[1]), until: Number(match[2]), strikes: Number(match[3]) };
  return ban.until > now ? ban : undefined;
}

/** What {@link createRedisBanStore} is told besides its connection. */
export interface RedisBanStoreOptions {
  /** The time in milliseconds: the container's clock; tests pass their own. */
  now: () => number;
  /** Told about each command that failed; the store then works in this process. */
  onError?: (error: unknown) => void;
}

/**
 * Strikes and bans in Redis, shared by every process: a ban started through one process refuses
 * the address in all of them. Keys are `prefix + strikes:<ip>` and `prefix + bans`. The caller
 * owns `redis` and quits it after closing the store.
 *
 * While Redis fails, strikes and bans are kept by this process alone (in memory), so a flood is
 * still stopped, at the process it reaches; bans kept in Redis are not seen meanwhile.
 */
export function createRedisBanStore(
  redis: Redis,
  prefix: string,
  options: RedisBanStoreOptions,
): BanStore {
  const { now } = options;
  const onError = options.onError ?? (() => {});
  // Where strikes and bans go while Redis fails.
  const fallback = createMemoryBanStore({ now });
  const bansKey = `${prefix}bans`;
  const strikesKey = (ip: string) => `${prefix}strikes:${ip}`;

  /** Runs `command`; on failure reports it and answers from the fallback instead. */
  async function orFallback<T>(command: () => Promise<T>, instead: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      onError(error);
      return instead();
    }
  }

  return {
    strike(ip, rule) {
      return orFallback(
        async () => {
          const at = now();
          const reply = (await redis.eval(
            strikeScript,
            2,
            strikesKey(ip),
            bansKey,
            at,
            rule.windowMs,
            rule.limit,
            rule.banMs,
            ip,
            `${at}:${randomUUID()}`,
            at + rule.banMs,
          )) as [number, string?];
          const [strikes, value] = reply;
          const started = value === undefined ? undefined : parseBan(ip, value, at);
          return started ? { strikes, started } : { strikes };
        },
        () => fallback.strike(ip, rule),
      );
    },
    banOf(ip) {
      return orFallback(
        async () => parseBan(ip, await redis.hget(bansKey, ip), now()),
        () => fallback.banOf(ip),
      );
    },
    list() {
      return orFallback(
        async () => {
          const at = now();
          const entries = (await redis.eval(listScript, 1, bansKey, at)) as string[];
          return entries.flatMap((entry) => {
            const [ip = '', value] = entry.split(' ');
            return parseBan(ip, value, at) ?? [];
          });
        },
        () => fallback.list(),
      );
    },
    async lift(ip) {
      const local = await fallback.lift(ip);
      return orFallback(
        async () => {
          const at = now();
          const value = (await redis.eval(liftScript, 2, bansKey, strikesKey(ip), ip)) as
            string | null;
          return parseBan(ip, value, at) ?? local;
        },
        () => Promise.resolve(local),
      );
    },
    close() {
      return fallback.close();
    },
  };
}
