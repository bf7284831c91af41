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
  /** Told about undecodable messages and what handlers threw; ignored by default. */
  onError?: PubSubErrorHandler;
}

/**
 * Pub/sub over Redis. One SUBSCRIBE per channel, fanned out to the local handlers, and an
 * UNSUBSCRIBE when the last of them leaves. The caller owns both connections and quits them
 * after closing this.
 */
export function createRedisPubSub(options: RedisPubSubOptions): PubSub {
  const { publisher, subscriber, prefix = '', onError = ignore } = options;
  const handlers = new HandlerRegistry();
  // The SUBSCRIBE in flight per channel, so a second subscriber waits for it as well.
  const subscribing = new Map<string, Promise<unknown>>();

  const onMessage = (wireChannel: string, json: string): void => {
    let message: unknown;
    try {
      message = JSON.parse(json);
    } catch (error) {
      onError(error);
      return;
    }
    handlers.deliver(wireChannel.slice(prefix.length), message, onError);
  };
  subscriber.on('message', onMessage);

  async function unsubscribe(channel: string, handler: MessageHandler): Promise<void> {
    if (!handlers.remove(channel, handler)) return;
    subscribing.delete(channel);
    await subscriber.unsubscribe(prefix + channel);
  }

  return {
    async publish(channel, message) {
      await publisher.publish(prefix + channel, encode(message));
    },
    async subscribe(channel, handler) {
      const first = handlers.add(channel, handler);
      if (first) subscribing.set(channel, subscriber.subscribe(prefix + channel));
      try {
        await subscribing.get(channel);
      } catch (error) {
        // The SUBSCRIBE failed, so there is nothing to undo on the server.
        if (handlers.remove(channel, handler)) subscribing.delete(channel);
        throw error;
      }
      return once(() => unsubscribe(channel, handler));
    },
    async close() {
      subscriber.off('message', onMessage);
      const channels = handlers.clear();
      subscribing.clear();
      if (channels.length > 0) await subscriber.unsubscribe(...channels.map((c) => prefix + c));
    },
  };
}
