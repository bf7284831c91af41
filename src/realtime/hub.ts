import type { Connection, SocketUser } from './connection.js';

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set?.delete(value) && set.size === 0) map.delete(key);
}

const none: ReadonlySet<Connection> = new Set();

/**
 * The open sockets of this process, indexed the ways events are addressed: by user, by ticket
 * subscription, staff, and, until they sign in, by client address (for the per-address limit).
 */
export class ConnectionHub {
  readonly #all = new Set<Connection>();
  readonly #byIp = new Map<string, Set<Connection>>();
  readonly #byUser = new Map<string, Set<Connection>>();
  readonly #byTicket = new Map<string, Set<Connection>>();
  readonly #staff = new Set<Connection>();

  /** How many sockets are open. */
  get size(): number {
    return this.#all.size;
  }

  /** Every open socket. */
  get all(): ReadonlySet<Connection> {
    return this.#all;
  }

  /** The signed-in staff sockets. */
  get staff(): ReadonlySet<Connection> {
    return this.#staff;
  }

  /** Registers a new, not yet authenticated socket. */
  add(connection: Connection): void {
    this.#all.add(connection);
    addTo(this.#byIp, connection.ip, connection);
  }

  /**
   * Files an authenticated socket under its user (and staff, if they are), unless the user
   * already has `maxPerUser` signed-in sockets: the count and the registration happen in one
   * synchronous step, so sockets signing in at the same moment cannot both pass the check.
   * False (and nothing changed) when the limit is reached or the socket is no longer open.
   */
  signIn(connection: Connection, user: SocketUser, maxPerUser: number): boolean {
    if (!this.#all.has(connection) || connection.user) return false;
    if (this.connectionsOf(user.userId).size >= maxPerUser) return false;
    connection.user = user;
    addTo(this.#byUser, user.userId, connection);
    // Signed in, it counts against its user's limit, no longer its address's.
    removeFrom(this.#byIp, connection.ip, connection);
    this.refreshRole(connection);
    return true;
  }

  /** Moves the socket into or out of the staff room after its user's role changed. */
  refreshRole(connection: Connection): void {
    if (connection.isStaff) this.#staff.add(connection);
    else this.#staff.delete(connection);
  }

  /** Forgets a closed socket everywhere. */
  remove(connection: Connection): void {
    if (!this.#all.delete(connection)) return;
    if (!connection.user) removeFrom(this.#byIp, connection.ip, connection);
    if (connection.user) removeFrom(this.#byUser, connection.user.userId, connection);
    this.#staff.delete(connection);
    for (const ticketId of connection.subscriptions) {
      removeFrom(this.#byTicket, ticketId, connection);
    }
    connection.subscriptions.clear();
  }

  /** Sockets open from this address that have not signed in (yet). */
  anonymousCountForIp(ip: string): number {
    return this.#byIp.get(ip)?.size ?? 0;
  }

  /** The user's signed-in sockets. */
  connectionsOf(userId: string): ReadonlySet<Connection> {
    return this.#byUser.get(userId) ?? none;
  }

  /** Sockets subscribed to the ticket. */
  subscribersOf(ticketId: string): ReadonlySet<Connection> {
    return this.#byTicket.get(ticketId) ?? none;
  }

  /** Subscribes the socket to a ticket. */
  subscribe(connection: Connection, ticketId: string): void {
    connection.subscriptions.add(ticketId);
    addTo(this.#byTicket, ticketId, connection);
  }

  /** Unsubscribes the socket from a ticket; false when it was not subscribed. */
  unsubscribe(connection: Connection, ticketId: string): boolean {
    if (!connection.subscriptions.delete(ticketId)) return false;
    removeFrom(this.#byTicket, ticketId, connection);
    return true;
  }

  /** How many entries each index holds (for leak checks: all zero once every socket closed). */
  indexSizes(): Record<'all' | 'byIp' | 'byUser' | 'byTicket' | 'staff', number> {
    return {
      all: this.#all.size,
      byIp: this.#byIp.size,
      byUser: this.#byUser.size,
      byTicket: this.#byTicket.size,
      staff: this.#staff.size,
    };
  }

  /** Drops every subscription of a ticket (it was deleted). */
  dropTicket(ticketId: string): void {
    for (const connection of this.subscribersOf(ticketId)) {
      connection.subscriptions.delete(ticketId);
    }
    this.#byTicket.delete(ticketId);
  }
}
