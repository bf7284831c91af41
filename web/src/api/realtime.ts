import { accessToken } from './client';

/** A frame from `/api/v1/ws`. */
export interface ServerFrame {
  type: string;
  ticket_id?: string | null;
  data?: unknown;
}

type Listener = (frame: ServerFrame) => void;

/**
 * One WebSocket to `/api/v1/ws` for the whole app: authenticates with the access token,
 * re-subscribes the open tickets and tells listeners after a reconnect or a `resync` frame (so
 * they refetch what they missed), backs off between attempts and pings to keep the line alive.
 */
class Realtime {
  private socket: WebSocket | undefined;
  private readonly tickets = new Map<string, number>();
  private readonly listeners = new Set<Listener>();
  private readonly reconnectListeners = new Set<() => void>();
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pinger: ReturnType<typeof setInterval> | undefined;
  private started = false;
  private everOpened = false;
  /** True while the socket is open and authenticated. */
  connected = false;

  start(): void {
    if (this.started) return;
    this.started = true;
    this.connect();
    window.addEventListener('online', () => this.kick());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.kick();
    });
  }

  private kick(): void {
    if (!this.socket || this.socket.readyState === WebSocket.CLOSED) {
      clearTimeout(this.timer);
      this.connect();
    }
  }

  private connect(): void {
    const token = accessToken();
    if (!token) {
      this.timer = setTimeout(() => this.connect(), 1000);
      return;
    }
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/api/v1/ws`);
    this.socket = socket;
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: 'auth', token }));
      for (const ticketId of this.tickets.keys()) {
        socket.send(JSON.stringify({ type: 'subscribe', ticket_id: ticketId }));
      }
      this.attempts = 0;
      this.connected = true;
      if (this.everOpened) this.resynchronise();
      this.everOpened = true;
      this.pinger = setInterval(() => this.send({ type: 'ping' }), 25_000);
    };
    socket.onmessage = (event) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch {
        return;
      }
      // The server may have missed events for us (its link to the other servers was cut).
      if (frame.type === 'resync') this.resynchronise();
      for (const listener of this.listeners) listener(frame);
    };
    socket.onclose = () => {
      this.connected = false;
      clearInterval(this.pinger);
      if (this.socket !== socket) return;
      // Jitter spreads reconnects after a server restart; it needs no unpredictability.
      // eslint-disable-next-line sonarjs/pseudo-random
      const delay = Math.min(15_000, 500 * 2 ** this.attempts) * (0.5 + Math.random() / 2);
      this.attempts += 1;
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  private resynchronise(): void {
    for (const listener of this.reconnectListeners) listener();
  }

  private send(message: object): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Follows a ticket's events until the returned function is called. */
  subscribe(ticketId: string): () => void {
    const count = this.tickets.get(ticketId) ?? 0;
    this.tickets.set(ticketId, count + 1);
    if (count === 0) this.send({ type: 'subscribe', ticket_id: ticketId });
    return () => {
      const left = (this.tickets.get(ticketId) ?? 1) - 1;
      if (left > 0) {
        this.tickets.set(ticketId, left);
        return;
      }
      this.tickets.delete(ticketId);
      this.send({ type: 'unsubscribe', ticket_id: ticketId });
    };
  }

  /** Tells the ticket's other readers that we are typing. */
  typing(ticketId: string, internal: boolean): void {
    this.send({ type: 'typing', ticket_id: ticketId, ...(internal ? { internal: true } : {}) });
  }

  /** Every frame the server sends. */
  onFrame(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * After a reconnect, or when the server says `resync`: refetch what may have been missed.
   */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }
}

/** The app's one realtime connection. */
export const realtime = new Realtime();
