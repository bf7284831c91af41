import WebSocket from 'ws';
import { textOf } from '../src/realtime/protocol.js';

/** A frame the gateway sent, decoded. */
export interface Frame {
  type: string;
  ticket_id?: string | null;
  code?: string;
  message?: string;
  reason?: string;
  data?: Record<string, unknown>;
}

/** How a socket ended. */
export interface Closed {
  code: number;
  reason: string;
}

/** Options for {@link connectWs}. */
export interface WsClientOptions {
  /** Sent as `?token=`. */
  token?: string;
  /** Answer protocol pings (the default); false plays a dead peer. */
  autoPong?: boolean;
  /** Resolve only after the `authenticated` frame (needs `token`). */
  awaitAuth?: boolean;
}

/** A test WebSocket client: every frame is kept, and tests wait for the ones they expect. */
export interface WsClient {
  readonly socket: WebSocket;
  /** Every frame received so far, in order. */
  readonly frames: Frame[];
  /** Resolves when the socket has closed. */
  readonly closed: Promise<Closed>;
  /** Sends a JSON message (or a raw string as is). */
  send(message: object | string): void;
  /**
   * The first frame of `type` (matching `predicate`) not yet taken by an earlier `next`,
   * waiting up to `timeoutMs` for it (10 s by default: a frame that comes, comes at once; the
   * margin is for a loaded CI machine).
   */
  next(type: string, predicate?: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Fails if a frame (of `type`, when given) arrives within the next `ms`. */
  expectNothing(ms: number, type?: string): Promise<void>;
  close(): void;
}

/** Opens a socket to `url` (ws://…/api/v1/ws), resolving once it is open. */
export async function connectWs(url: string, options: WsClientOptions = {}): Promise<WsClient> {
  const target = options.token ? `${url}?token=${encodeURIComponent(options.token)}` : url;
  const socket = new WebSocket(target, { autoPong: options.autoPong ?? true });
  const frames: Frame[] = [];
  const taken = new Set<Frame>();
  const waiters = new Set<() => void>();
  socket.on('message', (data: WebSocket.RawData) => {
    frames.push(JSON.parse(textOf(data)) as Frame);
    for (const wake of waiters) wake();
  });
  const closed = new Promise<Closed>((resolve) => {
    socket.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });

  const find = (type: string | undefined, predicate: (frame: Frame) => boolean) =>
    frames.find(
      (frame) =>
        !taken.has(frame) && (type === undefined || frame.type === type) && predicate(frame),
    );

  const client: WsClient = {
    socket,
    frames,
    closed,
    send(message) {
      socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    },
    next(type, predicate = () => true, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const frame = find(type, predicate);
          if (!frame) return;
          taken.add(frame);
          finish();
          resolve(frame);
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(`no "${type}" frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async expectNothing(ms, type) {
      const start = frames.length;
      await new Promise((resolve) => setTimeout(resolve, ms));
      const unexpected = frames
        .slice(start)
        .find((frame) => type === undefined || frame.type === type);
      if (unexpected) throw new Error(`unexpected frame: ${JSON.stringify(unexpected)}`);
    },
    close() {
      socket.close();
    },
  };
  if (options.awaitAuth) await client.next('authenticated');
  return client;
}

/** Starts the app listening on a free loopback port; the gateway's ws:// URL. */
export async function listenWs(app: {
  listen(options: { port: number; host: string }): Promise<string>;
}): Promise<string> {
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return `${address.replace(/^http/, 'ws')}/api/v1/ws`;
}
