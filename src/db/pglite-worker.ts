// The embedded database's own thread (see `pglite-thread.ts`): PGlite runs every statement
// synchronously in WebAssembly, so here it no longer holds up the API's event loop. It speaks
// PostgreSQL's wire protocol with the main thread's node-postgres connections, as a server would.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import type { ThreadReply, ThreadRequest, ThreadStart } from './pglite-thread.js';

const port = parentPort;
if (!port) throw new Error('pglite-worker.ts runs only as a worker thread');
const start = workerData as ThreadStart;

function post(reply: ThreadReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(reply, transfer);
}

/** A simple-protocol query message (`Q`), as a client would send it. */
function queryMessage(text: string): Uint8Array {
  const body = Buffer.from(`${text}\0`);
  const message = Buffer.alloc(5 + body.length);
  message.write('Q', 0);
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return new Uint8Array(message);
}

const options: PGliteOptions = {};
if (start.loadDataDir) options.loadDataDir = new Blob([start.loadDataDir]);
if (start.wasmModule) options.pgliteWasmModule = start.wasmModule;
if (start.fsBundle) options.fsBundle = new Blob([start.fsBundle]);

let pglite: PGlite;
try {
  pglite = await PGlite.create(start.dataDir, options);
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  throw error;
}

/**
 * The connection whose statements PGlite is serving. PGlite is one backend: a connection that
 * opens after another (the pool replacing a broken one) must not find the last one's open
 * transaction, prepared statements or session advisory locks.
 */
let current = -1;

function run(message: Uint8Array): Uint8Array {
  const answer = pglite.execProtocolRawSync(message);
  // The startup answer is a view of PGlite's reused buffer: copy it before handing it over.
  return message[0] === 0 ? answer.slice() : answer;
}

function resetSession(): void {
  if (pglite.isInTransaction()) run(queryMessage('rollback'));
  run(queryMessage('discard all'));
}

port.on('message', (request: ThreadRequest) => {
  switch (request.type) {
    case 'data': {
      if (request.connection !== current) {
        if (current !== -1) resetSession();
        current = request.connection;
      }
      const answer = run(request.bytes);
      if (answer.byteLength > 0) {
        post({ type: 'data', connection: request.connection, bytes: answer }, [
          answer.buffer as ArrayBuffer,
        ]);
      }
      break;
    }
    case 'end': {
      if (request.connection === current) {
        resetSession();
        current = -1;
      }
      break;
    }
    case 'close': {
      void pglite.close().then(
        () => {
          post({ type: 'closed' });
          port.close();
        },
        (error: unknown) => {
          post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
        },
      );
      break;
    }
  }
});

post({ type: 'ready' });
