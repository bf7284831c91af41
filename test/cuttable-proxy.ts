import net from 'node:net';

/** A TCP proxy to a server that a test can cut off and reconnect, as a network outage would. */
export interface CuttableProxy {
  /** The port the proxy listens on (loopback). */
  port: number;
  /** Drops every open connection and refuses new ones; the server behind keeps its data. */
  cut(): void;
  /**
   * Stops forwarding without closing anything, as a network that drops packets would: open
   * connections and new ones stay silent.
   */
  freeze(): void;
  /** Accepts and forwards connections again. */
  restore(): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port forwarding to `target`. */
export async function startCuttableProxy(target: { host: string; port: number }) {
  let open = true;
  let frozen = false;
  const pairs = new Set<[net.Socket, net.Socket]>();
  // Connections accepted while frozen: never forwarded, dropped on restore.
  const held = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    if (frozen) {
      client.on('error', () => client.destroy());
      held.add(client);
      return;
    }
    const upstream = net.connect(target.port, target.host);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cut = () => {
    open = false;
    for (const [client, upstream] of [...pairs]) {
      client.destroy();
      upstream.destroy();
    }
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    cut,
    freeze() {
      frozen = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    restore() {
      open = true;
      if (frozen) {
        frozen = false;
        cut();
        open = true;
      }
      for (const socket of held) socket.destroy();
      held.clear();
    },
    async close() {
      cut();
      await new Promise((resolve) => server.close(resolve));
    },
  } satisfies CuttableProxy;
}
