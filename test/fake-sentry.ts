import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One item of an envelope: its header and its payload (JSON parsed when it is JSON). */
export interface EnvelopeItem {
  header: { type?: string; [key: string]: unknown };
  payload: unknown;
}

/** An envelope as the SDK sent it, with its raw text for "never contains" checks. */
export interface Envelope {
  project: string;
  header: Record<string, unknown>;
  items: EnvelopeItem[];
  raw: string;
}

/** A stand-in for Sentry's ingest: keeps every envelope sent to it. */
export interface FakeSentry {
  /** `http://public@127.0.0.1:<port>/1` */
  dsn: string;
  envelopes: Envelope[];
  /** The error events received so far (items of type `event`). */
  events(): Record<string, unknown>[];
  close(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return (request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString();
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return line;
  }
}

/** Newline-delimited: the envelope header, then a header and a payload line per item. */
function parseEnvelope(project: string, raw: string): Envelope {
  const [first = '{}', ...rest] = raw.split('\n');
  const items: EnvelopeItem[] = [];
  for (let index = 0; index + 1 < rest.length; index += 2) {
    items.push({
      header: JSON.parse(rest[index] ?? '{}') as EnvelopeItem['header'],
      payload: parseJson(rest[index + 1] ?? ''),
    });
  }
  return { project, header: JSON.parse(first) as Record<string, unknown>, items, raw };
}

/** Starts the stand-in on a free loopback port: `POST /api/<project>/envelope/`. */
export async function startFakeSentry(): Promise<FakeSentry> {
  const envelopes: Envelope[] = [];
  const server = createServer((request, response) => {
    const match = /^\/api\/(\d+)\/envelope\/?/.exec(request.url ?? '');
    if (request.method !== 'POST' || !match) {
      response.writeHead(404).end();
      return;
    }
    void bodyOf(request).then((raw) => {
      envelopes.push(parseEnvelope(match[1] ?? '', raw));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    dsn: `http://public@127.0.0.1:${port}/1`,
    envelopes,
    events: () =>
      envelopes.flatMap((envelope) =>
        envelope.items
          .filter((item) => item.header.type === 'event')
          .map((item) => item.payload as Record<string, unknown>),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
