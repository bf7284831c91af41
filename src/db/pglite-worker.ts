// The embedded database's own thread (see `pglite-thread.ts`): PGlite runs every statement
// synchronously in WebAssembly, so here it no longer holds up the API's event loop. It speaks
// PostgreSQL's wire protocol with the main thread's node-postgres connections, as a server would.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import type { ThreadReply, ThreadRequest, ThreadStart } from './pglite-thread.js';
import { sessionMessages } from './pglite-session.js';

const port = parentPort;
if (!port) throw new Error('pglite-worker.ts runs only as a worker thread');
const start = workerData as ThreadStart;

function post(reply: ThreadReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(reply, transfer);
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

/** PGlite's one session, shared by the connections (`pglite-session.ts`). */
const session = sessionMessages({
  run(message) {
    const answer = pglite.execProtocolRawSync(message);
    // The startup answer is a view of PGlite's reused buffer: copy it before handing it over.
    return message[0] === 0 ? answer.slice() : answer;
  },
  inTransaction: () => pglite.isInTransaction(),
  answer(connection, bytes) {
    post({ type: 'data', connection, bytes }, [bytes.buffer as ArrayBuffer]);
  },
});

port.on('message', (request: ThreadRequest) => {
  if (request.type === 'data') session.receive(request.connection, request.bytes);
  else if (request.type === 'end') session.end(request.connection);
  else {
    void pglite.close().then(
      () => {
        post({ type: 'closed' });
        port.close();
      },
      (error: unknown) => {
        post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      },
    );
  }
});

post({ type: 'ready' });
