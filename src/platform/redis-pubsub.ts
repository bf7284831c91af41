import type { Redis } from 'ioredis';
import {
  encode,
  HandlerRegistry,
  ignore,
  once,
  type MessageHandler,
  type PubSub,
  type PubSubErrorHandler,
} from './pubsub.js';

/** What {@link createRedisPubSub} needs. */
export interface RedisPubSubOptions {
  /** A connection for PUBLISH; it may be shared with other commands. */
  publisher: Redis;
  /** A connection for this instance alone: once subscribed, Redis allows it nothing else. */
  subscriber: Redis;
  /** Prepended to every channel name on the wire. */
  prefix?: string;
  /**
   * Told about undecodable messages, what handlers threw, and subscription changes Redis did
   * not take; ignored by default.
   */
  onError?: PubSubErrorHandler;
}

/**
 * Pub/sub over Redis. One SUBSCRIBE per channel, fanned out to the local handlers, and an
 * UNSUBSCRIBE when the last of them leaves. The caller owns both connections and quits them
 * after closing this.
 *
 * Survives Redis going away: a subscription made while it is down is only registered, and every
 * channel is subscribed again when the subscriber connection is back, after which the
 * {@link PubSub.onReconnect} listeners learn that messages may have been missed. A message
 * published while the publisher is disconnected reaches this process's handlers directly.
 */
export function createRedisPubSub(options: RedisPubSubOptions): PubSub {
  const { publisher, subscriber, prefix = '', onError = ignore } = options;
  const handlers = new HandlerRegistry();
  const reconnectListeners = new Set<() => void>();
  // The SUBSCRIBE in flight per channel, so a second subscriber waits for it as well.
  const subscribing = new Map<string, Promise<unknown>>();
  // The server's subscriptions may lag behind the handlers (a subscription made while
  // disconnected, or a connection lost), and messages may have been missed (a connection lost).
  let stale = false;
  let missed = false;

  const deliver = (channel: string, message: unknown): void =>
    handlers.deliver(channel, message, onError);

  const onMessage = (wireChannel: string, json: string): void => {
    let message: unknown;
    try {
      message = JSON.parse(json);
    } catch (error) {
      onError(error);
      return;
    }
    deliver(wireChannel.slice(prefix.length), message);
  };
  const onClose = (): void => {
    stale = true;
    missed = true;
    subscribing.clear();
  };
  const onReady = (): void => {
    if (stale) void resubscribe();
  };
  subscriber.on('message', onMessage);
  subscriber.on('close', onClose);
  subscriber.on('ready', onReady);

  async function resubscribe(): Promise<void> {
    const tell = missed;
    stale = false;
    missed = false;
    const channels = handlers.channels();
    try {
      if (channels.length > 0) await subscriber.subscribe(...channels.map((c) => prefix + c));
    } catch (error) {
      // Lost again: the next `ready` tries once more.
      stale = true;
      missed ||= tell;
      onError(error);
      return;
    }
    if (!tell) return;
    for (const listener of [...reconnectListeners]) {
      try {
        listener();
      } catch (error) {
        onError(error);
      }
    }
  }

  async function unsubscribe(channel: string, handler: MessageHandler): Promise<void> {
    if (!handlers.remove(channel, handler)) return;
    subscribing.delete(channel);
    // While disconnected there is nothing to undo: a reconnect subscribes only what has handlers.
    if (subscriber.status !== 'ready') return;
    await subscriber.unsubscribe(prefix + channel).catch(onError);
  }

  return {
    async publish(channel, message) {
      const json = encode(message);
      try {
        await publisher.publish(prefix + channel, json);
      } catch (error) {
        if (publisher.status === 'ready') throw error;
        // Redis is away: this process's own subscribers still hear it.
        queueMicrotask(() => deliver(channel, JSON.parse(json)));
      }
    },
    async subscribe(channel, handler) {
      const first = handlers.add(channel, handler);
      if (first) subscribing.set(channel, subscriber.subscribe(prefix + channel));
      try {
        await subscribing.get(channel);
      } catch (error) {
        if (subscriber.status === 'end') {
          // Closed for good: nothing to wait for, and nothing to undo on the server.
          if (handlers.remove(channel, handler)) subscribing.delete(channel);
          throw error;
        }
        // Redis is away: the handler stays, and is subscribed when it is back.
        stale = true;
        subscribing.delete(channel);
      }
      return once(() => unsubscribe(channel, handler));
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => {
        reconnectListeners.delete(listener);
      };
    },
    async close() {
      subscriber.off('message', onMessage);
      subscriber.off('close', onClose);
      subscriber.off('ready', onReady);
      reconnectListeners.clear();
      const channels = handlers.clear();
      subscribing.clear();
      if (channels.length > 0 && subscriber.status === 'ready') {
        await subscriber.unsubscribe(...channels.map((c) => prefix + c)).catch(onError);
      }
    },
  };
}
