import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRedisPubSub } from './redis-pubsub.js';
import { testRedisUrl, uniquePrefix } from '../../test/infra.js';
import {
  createMemoryPubSub,
  type MessageHandler,
  type PubSub,
  type PubSubErrorHandler,
} from './pubsub.js';
import { closeRedis, createRedis, waitUntilReady } from './redis.js';
import { startCuttableProxy, type CuttableProxy } from '../../test/cuttable-proxy.js';

/**
 * Two instances as two server processes would hold them. In-process there is only one process,
 * so both are the same instance; on Redis they are separate pairs of connections.
 */
interface Subject {
  here: PubSub;
  there: PubSub;
  close(): Promise<void>;
}

const implementations: { name: string; open(onError: PubSubErrorHandler): Subject }[] = [
  {
    name: 'in-process',
    open(onError) {
      const pubsub = createMemoryPubSub({ onError });
      return { here: pubsub, there: pubsub, close: () => pubsub.close() };
    },
  },
];
const redisUrl = testRedisUrl;
if (redisUrl) {
  implementations.push({
    name: 'Redis',
    open(onError) {
      const prefix = uniquePrefix();
      const connections: Redis[] = [];
      const instance = (): PubSub => {
        const publisher = createRedis(redisUrl);
        const subscriber = createRedis(redisUrl);
        connections.push(publisher, subscriber);
        return createRedisPubSub({ publisher, subscriber, prefix, onError });
      };
      const here = instance();
      const there = instance();
      return {
        here,
        there,
        async close() {
          await Promise.all([here.close(), there.close()]);
          await Promise.all(connections.map((connection) => connection.quit()));
        },
      };
    },
  });
}

/** A handler that records what it receives. */
function recorder(): { handler: MessageHandler; messages: unknown[] } {
  const messages: unknown[] = [];
  const handler: MessageHandler = (message) => {
    messages.push(message);
  };
  return { handler, messages };
}

/** Waits until `messages` holds exactly `expected`. */
async function expectReceived(messages: unknown[], expected: unknown[]): Promise<void> {
  await vi.waitFor(() => expect(messages).toEqual(expected), { timeout: 2_000, interval: 5 });
}

describe.each(implementations)('PubSub ($name)', (implementation) => {
  let subject: Subject;
  let errors: unknown[];
  beforeEach(() => {
    errors = [];
    subject = implementation.open((error) => {
      errors.push(error);
    });
  });
  afterEach(() => subject.close());

  it('delivers a published JSON message to a subscriber', async () => {
    const { handler, messages } = recorder();
    await subject.here.subscribe('tickets', handler);
    const event = { type: 'ticket.created', ticket: { id: 'a', tags: ['x'] }, at: null };
    await subject.here.publish('tickets', event);
    await expectReceived(messages, [event]);
  });

  it('delivers messages in the order they were published', async () => {
    const { handler, messages } = recorder();
    await subject.here.subscribe('tickets', handler);
    await Promise.all([1, 2, 3, 4, 5].map((n) => subject.here.publish('tickets', n)));
    await expectReceived(messages, [1, 2, 3, 4, 5]);
  });

  it('never calls a handler from inside publish', async () => {
    const { handler, messages } = recorder();
    await subject.here.subscribe('tickets', handler);
    const published = subject.here.publish('tickets', 'hello');
    expect(messages).toEqual([]);
    await published;
    await expectReceived(messages, ['hello']);
  });

  it('delivers to every subscriber of a channel and to no other channel', async () => {
    const first = recorder();
    const second = recorder();
    const elsewhere = recorder();
    await subject.here.subscribe('tickets', first.handler);
    await subject.here.subscribe('tickets', second.handler);
    await subject.here.subscribe('users', elsewhere.handler);
    await subject.here.publish('tickets', 1);
    await subject.here.publish('users', 2);
    await expectReceived(first.messages, [1]);
    await expectReceived(second.messages, [1]);
    await expectReceived(elsewhere.messages, [2]);
  });

  it('carries a message published on one instance to a handler on another', async () => {
    const local = recorder();
    const remote = recorder();
    await subject.here.subscribe('tickets', local.handler);
    await subject.there.subscribe('tickets', remote.handler);
    await subject.here.publish('tickets', { id: 1 });
    await expectReceived(remote.messages, [{ id: 1 }]);
    await expectReceived(local.messages, [{ id: 1 }]);
  });

  it('stops delivering to a handler once it unsubscribes', async () => {
    const leaving = recorder();
    const staying = recorder();
    const unsubscribe = await subject.here.subscribe('tickets', leaving.handler);
    await subject.here.subscribe('tickets', staying.handler);
    await subject.here.publish('tickets', 1);
    await expectReceived(leaving.messages, [1]);
    await unsubscribe();
    await unsubscribe(); // a second call is harmless
    await subject.here.publish('tickets', 2);
    await expectReceived(staying.messages, [1, 2]);
    expect(leaving.messages).toEqual([1]);
  });

  it('delivers again after the last handler left and a new one came', async () => {
    const first = recorder();
    const unsubscribe = await subject.here.subscribe('tickets', first.handler);
    await unsubscribe();
    const second = recorder();
    await subject.here.subscribe('tickets', second.handler);
    await subject.here.publish('tickets', 'again');
    await expectReceived(second.messages, ['again']);
    expect(first.messages).toEqual([]);
  });

  it('publishes to a channel nobody listens to without complaint', async () => {
    await expect(subject.here.publish('nobody', { a: 1 })).resolves.toBeUndefined();
  });

  it('keeps delivering to other handlers when one throws or rejects', async () => {
    const { handler, messages } = recorder();
    await subject.here.subscribe('tickets', () => {
      throw new Error('sync failure');
    });
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the misuse is the point
    await subject.here.subscribe('tickets', () => Promise.reject(new Error('async failure')));
    await subject.here.subscribe('tickets', handler);
    await subject.here.publish('tickets', 1);
    await subject.here.publish('tickets', 2);
    await expectReceived(messages, [1, 2]);
    await vi.waitFor(() => expect(errors).toHaveLength(4), { timeout: 2_000, interval: 5 });
    expect(
      errors.map((error) => (error as Error).message).sort((a, b) => a.localeCompare(b)),
    ).toEqual(['async failure', 'async failure', 'sync failure', 'sync failure']);
  });

  it('refuses a message that is not JSON', async () => {
    await expect(subject.here.publish('tickets', undefined)).rejects.toThrow(TypeError);
  });

  it('delivers nothing after it is closed', async () => {
    const { handler, messages } = recorder();
    const unsubscribe = await subject.there.subscribe('tickets', handler);
    await subject.there.close();
    await unsubscribe(); // harmless after close
    const sentinel = recorder();
    await subject.here.subscribe('tickets', sentinel.handler);
    await subject.here.publish('tickets', 1);
    await expectReceived(sentinel.messages, [1]);
    expect(messages).toEqual([]);
  });
});

describe('createMemoryPubSub', () => {
  it('isolates a throwing handler even when nobody listens for errors', async () => {
    const pubsub = createMemoryPubSub();
    const { handler, messages } = recorder();
    await pubsub.subscribe('tickets', () => {
      throw new Error('ignored');
    });
    await pubsub.subscribe('tickets', handler);
    await pubsub.publish('tickets', 1);
    await expectReceived(messages, [1]);
    await pubsub.close();
  });
});

if (redisUrl) {
  describe('createRedisPubSub', () => {
    let publisher: Redis;
    let subscriber: Redis;
    let prefix: string;
    let errors: unknown[];
    let pubsub: PubSub;
    beforeEach(() => {
      publisher = createRedis(redisUrl);
      subscriber = createRedis(redisUrl);
      prefix = uniquePrefix();
      errors = [];
      pubsub = createRedisPubSub({
        publisher,
        subscriber,
        prefix,
        onError: (error) => {
          errors.push(error);
        },
      });
    });
    afterEach(async () => {
      await pubsub.close();
      // One test closes the subscriber itself.
      const open = [publisher, subscriber].filter((connection) => connection.status !== 'end');
      await Promise.all(open.map((connection) => connection.quit()));
    });

    /** How many connections Redis has subscribed to the channel. */
    async function subscribersOf(channel: string): Promise<number> {
      const reply = (await publisher.pubsub('NUMSUB', prefix + channel)) as [string, number];
      return Number(reply[1]);
    }

    it('subscribes a channel once however many local handlers it has', async () => {
      const first = await pubsub.subscribe('tickets', () => {});
      const second = await pubsub.subscribe('tickets', () => {});
      expect(await subscribersOf('tickets')).toBe(1);
      await first();
      expect(await subscribersOf('tickets')).toBe(1);
      await second();
      expect(await subscribersOf('tickets')).toBe(0);
    });

    it('waits for the subscription when two handlers subscribe at once', async () => {
      const first = recorder();
      const second = recorder();
      await Promise.all([
        pubsub.subscribe('tickets', first.handler),
        pubsub.subscribe('tickets', second.handler),
      ]);
      await pubsub.publish('tickets', 'both');
      await expectReceived(first.messages, ['both']);
      await expectReceived(second.messages, ['both']);
    });

    it('ignores a malformed message on the wire and reports it', async () => {
      const { handler, messages } = recorder();
      await pubsub.subscribe('tickets', handler);
      await publisher.publish(`${prefix}tickets`, '{not json');
      await pubsub.publish('tickets', 'fine');
      await expectReceived(messages, ['fine']);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(SyntaxError);
    });

    it('unsubscribes everything when closed but leaves the connections open', async () => {
      await pubsub.subscribe('tickets', () => {});
      await pubsub.subscribe('users', () => {});
      await pubsub.close();
      expect(await subscribersOf('tickets')).toBe(0);
      expect(await subscribersOf('users')).toBe(0);
      expect(await subscriber.ping()).toBe('PONG');
    });

    it('rejects a subscription Redis refused and forgets its handler', async () => {
      subscriber.disconnect();
      const attempts = [
        pubsub.subscribe('tickets', () => {}),
        pubsub.subscribe('tickets', () => {}),
      ];
      for (const attempt of attempts) await expect(attempt).rejects.toThrow();
      await expect(pubsub.close()).resolves.toBeUndefined();
    });
  });
}

if (redisUrl) {
  describe('createRedisPubSub while Redis is unreachable', () => {
    let proxy: CuttableProxy;
    let connections: Redis[];
    let here: PubSub;
    let there: PubSub;
    beforeEach(async () => {
      const target = new URL(redisUrl);
      proxy = await startCuttableProxy({ host: target.hostname, port: Number(target.port) });
      const viaProxy = new URL(redisUrl);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      const prefix = uniquePrefix();
      connections = [];
      const open = (url: string) => {
        const connection = createRedis(url);
        connection.on('error', () => {}); // refusals while cut off are the point
        connections.push(connection);
        return connection;
      };
      here = createRedisPubSub({
        publisher: open(viaProxy.toString()),
        subscriber: open(viaProxy.toString()),
        prefix,
      });
      there = createRedisPubSub({ publisher: open(redisUrl), subscriber: open(redisUrl), prefix });
      await Promise.all(connections.map((connection) => waitUntilReady(connection, 2_000)));
    });
    afterEach(async () => {
      await Promise.all([here.close(), there.close()]);
      await Promise.all(connections.map((connection) => closeRedis(connection)));
      await proxy.close();
    });

    it('subscribes again when Redis is back, then says messages may have been missed', async () => {
      const before = recorder();
      await here.subscribe('tickets', before.handler);
      proxy.cut();
      // Made while cut off: registered now, subscribed on reconnection.
      const during = recorder();
      await here.subscribe('users', during.handler);
      // Published here while cut off: this process's own handlers still hear it.
      await here.publish('tickets', 'local');
      await expectReceived(before.messages, ['local']);

      let reconnected = 0;
      here.onReconnect(() => {
        reconnected += 1;
      });
      proxy.restore();
      await vi.waitFor(() => expect(reconnected).toBe(1), { timeout: 5_000, interval: 20 });
      await there.publish('tickets', 'from elsewhere');
      await there.publish('users', 'also');
      await expectReceived(before.messages, ['local', 'from elsewhere']);
      await expectReceived(during.messages, ['also']);
    });
  });
}
