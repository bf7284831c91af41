import type { WebSocket } from 'ws';
import type { Principal } from '../auth/service.js';
import { isStaff } from '../auth/permissions.js';

/** Limits one connection enforces on itself. */
export interface ConnectionLimits {
  messagesPerSecond: number;
  maxBufferedBytes: number;
}

/** Who a signed-in socket belongs to; their first name is read when they first type. */
export interface SocketUser extends Principal {
  firstName?: string;
}

/** What the rate check says about one more client message. */
export type RateVerdict = 'ok' | 'limited' | 'abusive';

/**
 * One client socket: who it is (once authenticated), the tickets it follows, and the sending
 * rules every frame obeys (a slow consumer is dropped instead of buffered without bound).
 */
export class Connection {
  user: SocketUser | undefined;
  readonly subscriptions = new Set<string>();
  /** False once a heartbeat ping went unanswered. */
  alive = true;
  #windowStart = 0;
  #inWindow = 0;
  /** Client messages run one after another, so an `auth` finishes before what follows it. */
  #queue: Promise<void> = Promise.resolve();

  constructor(
    readonly socket: WebSocket,
    readonly ip: string,
    private readonly limits: ConnectionLimits,
    private readonly onSent: () => void,
  ) {}

  /** True when the signed-in user is staff (agent or above). */
  get isStaff(): boolean {
    return this.user !== undefined && isStaff(this.user.role);
  }

  /** True while frames can still be sent. */
  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /**
   * Sends one JSON frame. A client that has let more than `maxBufferedBytes` pile up unread is
   * cut off at once (a close frame would only queue behind the backlog).
   */
  send(json: string): void {
    if (!this.open) return;
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.socket.terminate();
      return;
    }
    this.socket.send(json);
    this.onSent();
  }

  /** Sends a last frame, then closes with `code`. */
  closeWith(code: number, json: string | undefined, reason: string): void {
    if (json !== undefined) this.send(json);
    if (this.open) this.socket.close(code, reason);
  }

  /** Counts one client message against the per-second budget. */
  checkRate(now: number): RateVerdict {
    if (now - this.#windowStart >= 1_000) {
      this.#windowStart = now;
      this.#inWindow = 0;
    }
    this.#inWindow += 1;
    if (this.#inWindow <= this.limits.messagesPerSecond) return 'ok';
    return this.#inWindow > 2 * this.limits.messagesPerSecond ? 'abusive' : 'limited';
  }

  /**
   * Runs `work` after every earlier message of this socket has been handled. Work handles its
   * own errors; should any escape, the socket's state is unknown, so it is dropped (the client
   * reconnects and starts afresh) rather than left half-checked.
   */
  enqueue(work: () => Promise<void>): void {
    this.#queue = this.#queue.then(work).catch(() => this.terminate());
  }

  /** Drops the socket without a close handshake (dead or abusive peers). */
  terminate(): void {
    this.socket.terminate();
  }
}
