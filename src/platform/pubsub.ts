/** Receives one message, already decoded from JSON. */
export type MessageHandler = (message: unknown) => void;

/** Called with what a handler threw, or with a message that could not be decoded. */
export type PubSubErrorHandler = (error: unknown) => void;

/**
 * Publish/subscribe of JSON messages. Delivery is asynchronous and best effort; every subscribed
 * process receives every message, which is how events cross server processes.
 */
export interface PubSub {
  /** Sends `message` (JSON-serialisable) to every handler subscribed to `channel`. */
  publish(channel: string, message: unknown): Promise<void>;
  /**
   * Starts delivering `channel` to `handler`; resolves to the unsubscribe once subscribed, or,
   * while the other processes cannot be reached, once registered: the subscription then takes
   * effect when they can again.
   */
  subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>>;
  /**
   * Calls `listener` each time the connection to the other processes came back after a loss,
   * once every subscription is in place again: messages sent meanwhile may have been missed.
   * In-process, nothing is ever lost and it is never called. Returns the unregister function.
   */
  onReconnect(listener: () => void): () => void;
  /** Drops every subscription of this instance. A Redis connection it was given stays open. */
  close(): Promise<void>;
}

/** Options for {@link createMemoryPubSub}. */
export interface MemoryPubSubOptions {
  /** Told what a handler threw; by default it is ignored, so other handlers still run. */
  onError?: PubSubErrorHandler;
}

/** An in-process pub/sub for one process. Handlers run on a later microtask, never in publish. */
export function createMemoryPubSub(options: MemoryPubSubOptions = {}): PubSub {
  const onError = options.onError ?? ignore;
  const handlers = new HandlerRegistry();

  return {
    publish(channel, message) {
      return new Promise((resolve) => {
        const json = encode(message);
        queueMicrotask(() => handlers.deliver(channel, JSON.parse(json), onError));
        resolve();
      });
    },
    subscribe(channel, handler) {
      handlers.add(channel, handler);
      const unsubscribe = once(() => {
        handlers.remove(channel, handler);
        return Promise.resolve();
      });
      return Promise.resolve(unsubscribe);
    },
    onReconnect() {
      // One process: nothing to lose and nothing to come back.
      return () => {};
    },
    close() {
      handlers.clear();
      return Promise.resolve();
    },
  };
}

/** The local handlers per channel, shared by both implementations. */
export class HandlerRegistry {
  readonly #byChannel = new Map<string, Set<MessageHandler>>();

  /** Adds a handler; true when it is the channel's first. */
  add(channel: string, handler: MessageHandler): boolean {
    const existing = this.#byChannel.get(channel);
    if (existing) {
      existing.add(handler);
      return false;
    }
    this.#byChannel.set(channel, new Set([handler]));
    return true;
  }

  /** Removes a handler; true when it was the channel's last. */
  remove(channel: string, handler: MessageHandler): boolean {
    const set = this.#byChannel.get(channel);
    if (!set?.delete(handler) || set.size > 0) return false;
    this.#byChannel.delete(channel);
    return true;
  }

  /** The channels that have handlers. */
  channels(): string[] {
    return [...this.#byChannel.keys()];
  }

  /** Forgets every handler and returns the channels that had any. */
  clear(): string[] {
    const channels = [...this.#byChannel.keys()];
    this.#byChannel.clear();
    return channels;
  }

  /** Calls each handler of `channel` in turn; one that fails does not stop the others. */
  deliver(channel: string, message: unknown, onError: PubSubErrorHandler): void {
    for (const handler of [...(this.#byChannel.get(channel) ?? [])]) {
      try {
        const result: unknown = handler(message);
        // An async handler's rejection would otherwise be unhandled and end the process.
        if (result instanceof Promise) result.catch(onError);
      } catch (error) {
        onError(error);
      }
    }
  }
}

/** The JSON form of a message; refuses what JSON cannot hold. */
export function encode(message: unknown): string {
  const json = JSON.stringify(message) as string | undefined;
  if (json === undefined) throw new TypeError('A pub/sub message must be JSON-serialisable');
  return json;
}

/** Makes an unsubscribe safe to call twice. */
export function once(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= action());
}

/** The default error handler: drops the error. */
export function ignore(): void {}
