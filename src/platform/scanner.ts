import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';

/** What a scan found: nothing, or the name of the signature that matched. */
export type ScanVerdict = { infected: false } | { infected: true; signature: string };

/** The antivirus port: clamd over its INSTREAM protocol, or off. */
export interface Scanner {
  /** False when scanning is off (no `CLAMAV_URL`): files are marked `skipped`. */
  readonly enabled: boolean;
  /** Streams the bytes to the scanner; throws when it cannot answer. */
  scan(body: Readable): Promise<ScanVerdict>;
  /** True when the scanner answers PING. */
  ping(): Promise<boolean>;
}

/** Scanning is off: nothing is scanned and nothing pretends to be. */
export const scanningOff: Scanner = {
  enabled: false,
  scan() {
    return Promise.reject(new Error('antivirus scanning is off'));
  },
  ping: () => Promise.resolve(true),
};

/** clamd's default StreamMaxLength is 25 MB, above our largest upload (20 MB). */
const chunkSize = 64 * 1024;

function openSocket(url: URL): Socket {
  if (url.protocol === 'unix:') return connect({ path: url.pathname });
  return connect({ host: url.hostname, port: Number(url.port || 3310) });
}

/** Sends one command (and, for INSTREAM, the bytes) and resolves with clamd's reply. */
function talk(url: URL, command: string, body: Readable | undefined, timeoutMs: number) {
  return new Promise<string>((resolve, reject) => {
    const socket = openSocket(url);
    const replies: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('clamd did not answer in time')));
    socket.on('data', (data) => replies.push(data));
    socket.on('error', reject);
    socket.on('end', () => {
      resolve(Buffer.concat(replies).toString('utf8').replaceAll('\0', '').trim());
      socket.end();
    });
    // clamd gone mid-stream: stop reading the file (and free its descriptor) whatever happened.
    socket.on('close', () => {
      body?.destroy();
      reject(new Error('clamd closed the connection'));
    });
    socket.on('connect', () => {
      socket.write(`z${command}\0`);
      if (!body) return;
      void (async () => {
        try {
          for await (const data of body) {
            const bytes = data as Buffer;
            for (let offset = 0; offset < bytes.length; offset += chunkSize) {
              const chunk = bytes.subarray(offset, offset + chunkSize);
              const length = Buffer.alloc(4);
              length.writeUInt32BE(chunk.length);
              if (socket.destroyed) return;
              if (!socket.write(Buffer.concat([length, chunk]))) {
                await once(socket, 'drain');
              }
            }
          }
          socket.write(Buffer.alloc(4));
        } catch (error) {
          socket.destroy(error as Error);
        }
      })();
    });
  });
}

/**
 * A clamd client: `tcp://host:port` or `unix:///path/clamd.ctl`. Each scan opens a connection
 * and streams the file in INSTREAM chunks; clamd answers `stream: OK` or `stream: <name> FOUND`.
 */
export function createClamdScanner(clamavUrl: string, timeoutMs = 60_000): Scanner {
  const url = new URL(clamavUrl);
  return {
    enabled: true,
    async scan(body) {
      const reply = await talk(url, 'INSTREAM', body, timeoutMs);
      const found = /^stream: (.+) FOUND$/.exec(reply);
      if (found?.[1]) return { infected: true, signature: found[1] };
      if (reply === 'stream: OK') return { infected: false };
      throw new Error(`clamd could not scan the file: ${reply}`);
    },
    async ping() {
      try {
        return (await talk(url, 'PING', undefined, 2000)) === 'PONG';
      } catch {
        return false;
      }
    },
  };
}
