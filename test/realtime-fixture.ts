import { createTestApp, type TestApp } from './app.js';
import { addCategory, openTicket, signInAs, type Person } from './people.js';
import { connectWs, listenWs, type WsClient, type WsClientOptions } from './ws-client.js';

/** The sockets one test opened, so that the suite can close them all after it. */
export interface SocketPool {
  /** Opens a socket to the gateway and keeps it for {@link SocketPool.closeAll}. */
  connect(options?: WsClientOptions): Promise<WsClient>;
  /** Keeps a socket opened some other way, to be closed with the rest. */
  track(client: WsClient): WsClient;
  /**
   * Closes every kept socket. With `settleMs`, waits until they have closed and then that
   * long more, for limit tests where the server must have forgotten them.
   */
  closeAll(options?: { settleMs?: number }): Promise<void>;
}

/** An application whose WebSocket gateway listens on a loopback port. */
export interface RealtimeApp {
  t: TestApp;
  /** The gateway's ws:// URL. */
  url: string;
  sockets: SocketPool;
}

/** A pool of sockets to the gateway at `url`. */
function socketPool(url: string): SocketPool {
  const clients: WsClient[] = [];
  const track = (client: WsClient) => {
    clients.push(client);
    return client;
  };
  return {
    track,
    async connect(options = {}) {
      return track(await connectWs(url, options));
    },
    async closeAll({ settleMs } = {}) {
      const closing = clients.splice(0);
      for (const client of closing) client.close();
      if (settleMs === undefined) return;
      await Promise.all(closing.map((client) => client.closed));
      await new Promise((resolve) => setTimeout(resolve, settleMs));
    },
  };
}

/**
 * Starts the app with `env` on top of lifted HTTP limits (realtime suites sign many people
 * in) and has it listen, since WebSockets need a real port rather than `inject()`.
 */
export async function startRealtimeApp(env: Record<string, string>): Promise<RealtimeApp> {
  const t = await createTestApp({
    env: { RATE_LIMIT_MAX: '100000', AUTH_RATE_LIMIT_MAX: '100000', ...env },
  });
  const url = await listenWs(t.app);
  return { t, url, sockets: socketPool(url) };
}

/** A ticket that Alice opened in a fresh category: what the gateway suites watch. */
export async function alicesTicket(
  t: TestApp,
): Promise<{ category: string; author: Person; ticketId: string }> {
  const category = await addCategory(t);
  const author = await signInAs(t, 'user', { first_name: 'Alice' });
  const ticketId = (await openTicket(t, author, category)).id;
  return { category, author, ticketId };
}
