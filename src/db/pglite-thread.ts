import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Duplex } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { PGliteOptions } from '@electric-sql/pglite';

/** Compiled WebAssembly, as PGlite takes it (the project's `lib` has no WebAssembly types). */
type CompiledWasm = NonNullable<PGliteOptions['pgliteWasmModule']>;

/** What the database thread (`pglite-worker.ts`) starts from. */
export interface ThreadStart {
  /** The cluster's directory; unset means in memory. */
  dataDir?: string;
  /** A `dumpDataDir()` tarball to start an in-memory database from. */
  loadDataDir?: Uint8Array;
  /** PGlite's WebAssembly, compiled once per process and shared by every thread. */
  wasmModule?: CompiledWasm;
  /** PGlite's file-system bundle (`pglite.data`), read once per process. */
  fsBundle?: Uint8Array;
}

/** A message from the main thread to the database thread. */
export type ThreadRequest =
  | { type: 'data'; connection: number; bytes: Uint8Array }
  | { type: 'end'; connection: number }
  | { type: 'close' };

/** A message from the database thread to the main thread. */
export type ThreadReply =
  | { type: 'ready' }
  | { type: 'data'; connection: number; bytes: Uint8Array }
  | { type: 'closed' }
  | { type: 'failed'; message: string };

/** The embedded database running in a thread of its own, reached over PostgreSQL's protocol. */
export interface PgliteThread {
  /** A new connection to it, as a stream node-postgres can use in place of a socket. */
  connect(): Duplex;
  /** Closes PGlite cleanly (a checkpoint, so the next start needs no recovery) and ends the thread. */
  close(): Promise<void>;
}

const pgliteDist = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
let shared: { wasmModule: CompiledWasm; fsBundle: Uint8Array } | undefined;
/** Node's WebAssembly global. */
const wasm = (
  globalThis as unknown as {
    WebAssembly: { compile(bytes: Uint8Array): Promise<CompiledWasm> };
  }
).WebAssembly;

/** PGlite's WebAssembly compiled once: every later thread starts from the same code. */
async function sharedArtifacts(): Promise<{
  wasmModule: CompiledWasm;
  fsBundle: Uint8Array;
}> {
  shared ??= {
    wasmModule: await wasm.compile(readFileSync(path.join(pgliteDist, 'pglite.wasm'))),
    fsBundle: new Uint8Array(readFileSync(path.join(pgliteDist, 'pglite.data'))),
  };
  return shared;
}

/**
 * The worker: the compiled file, or from the TypeScript sources (`npm start`, tests) through
 * tsx, whose loader a worker thread does not inherit.
 */
function newWorker(workerData: ThreadStart): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./pglite-worker.js', import.meta.url), { workerData });
  }
  const file = JSON.stringify(new URL('./pglite-worker.ts', import.meta.url).href);
  const parent = JSON.stringify(import.meta.url);
  return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${file}, ${parent}))`, {
    eval: true,
    workerData,
  });
}

/** Starts PGlite in a worker thread and resolves once it accepts connections. */
export async function startPgliteThread(
  start: Omit<ThreadStart, 'wasmModule' | 'fsBundle'>,
): Promise<PgliteThread> {
  const worker = newWorker({ ...start, ...(await sharedArtifacts()) });
  const connections = new Map<number, ThreadConnection>();
  let nextConnection = 0;
  let closed: (() => void) | undefined;
  let failure: Error | undefined;

  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (reply: ThreadReply) => {
      if (reply.type === 'data')
        connections
          .get(reply.connection)
          ?.push(Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength));
      else if (reply.type === 'ready') resolve();
      else if (reply.type === 'closed') closed?.();
      else reject(new Error(`embedded database: ${reply.message}`));
    });
    let crash: Error | undefined;
    worker.once('error', (error) => {
      crash = error;
      reject(error);
    });
    worker.once('exit', (code) => {
      failure = new Error(`embedded database thread exited (${code})`, { cause: crash });
      reject(failure);
      for (const connection of connections.values()) connection.destroy(failure);
      connections.clear();
      closed?.();
    });
  });
  await ready;

  return {
    connect() {
      const id = nextConnection;
      nextConnection += 1;
      const connection = new ThreadConnection(
        (bytes) => {
          worker.postMessage({ type: 'data', connection: id, bytes } satisfies ThreadRequest, [
            bytes.buffer as ArrayBuffer,
          ]);
        },
        () => {
          connections.delete(id);
          if (!failure) worker.postMessage({ type: 'end', connection: id } satisfies ThreadRequest);
        },
      );
      if (failure) process.nextTick(() => connection.destroy(failure));
      else connections.set(id, connection);
      return connection;
    },
    async close() {
      if (failure) return;
      const done = new Promise<void>((resolve) => {
        closed = resolve;
      });
      worker.postMessage({ type: 'close' } satisfies ThreadRequest);
      await done;
      await worker.terminate();
    },
  };
}

/**
 * One connection to the database thread, shaped like the socket node-postgres expects
 * (`connect`, `setNoDelay`, `setKeepAlive`, `ref`, `unref`). Writes that node-postgres corks
 * (a statement's Parse, Bind, Describe, Execute, Sync) cross to the thread as one message.
 */
class ThreadConnection extends Duplex {
  constructor(
    private readonly send: (bytes: Uint8Array) => void,
    private readonly ended: () => void,
  ) {
    super();
  }

  connect(): this {
    process.nextTick(() => this.emit('connect'));
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  override _read(): void {
    // Data is pushed as the thread answers.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.send(new Uint8Array(chunk));
    callback();
  }

  override _writev(chunks: { chunk: Buffer }[], callback: () => void): void {
    this.send(new Uint8Array(Buffer.concat(chunks.map(({ chunk }) => chunk))));
    callback();
  }

  override _final(callback: () => void): void {
    this.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    this.ended();
    callback(error);
  }
}
