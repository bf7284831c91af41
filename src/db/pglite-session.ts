/** What {@link sessionMessages} needs of PGlite and of the way back to the connections. */
export interface SessionBackend {
  /** Runs protocol messages on PGlite's one session and returns its answer. */
  run(message: Uint8Array): Uint8Array;
  /** True while the session is inside a transaction (also a failed one). */
  inTransaction(): boolean;
  /** Sends a connection its answer. */
  answer(connection: number, bytes: Uint8Array): void;
}

/** Several connections' protocol messages, run on PGlite's one session. */
export interface SessionMessages {
  /** One write of `connection`: a startup packet, a simple query, or a statement ending in Sync. */
  receive(connection: number, bytes: Uint8Array): void;
  /** `connection` is gone: its transaction is rolled back and its prepared statements closed. */
  end(connection: number): void;
}

const utf8 = new TextEncoder();

/** A protocol message: its type byte and body. */
function message(type: string, body: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(5 + body.length);
  bytes[0] = type.charCodeAt(0);
  new DataView(bytes.buffer).setInt32(1, 4 + body.length);
  bytes.set(body, 5);
  return bytes;
}

const cstring = (text: string) => utf8.encode(`${text}\0`);

/** The pseudo-connection of an ended connection's clean-up. */
const cleanup = -1;

/**
 * Lets several node-postgres connections share PGlite, which is one backend with one session, as
 * if each had a session of its own; so statements queue in the database thread instead of
 * waiting for a free connection on the main thread. Each write of node-postgres is run whole (a
 * statement's Parse … Sync arrives as one). While a connection's transaction is open, only its
 * writes run; the others wait their turn. Prepared statement and portal names are given
 * per-connection aliases, since two connections may prepare the same name.
 */
export function sessionMessages(backend: SessionBackend): SessionMessages {
  const waiting: { connection: number; bytes: Uint8Array }[] = [];
  /** `connection/name` → the name it has in the session. */
  const aliases = new Map<string, string>();
  let nextAlias = 0;
  /** The connection whose transaction is open. */
  let owner: number | undefined;

  function alias(connection: number, name: string): string {
    if (name === '') return name;
    const key = `${connection}/${name}`;
    let known = aliases.get(key);
    if (known === undefined) {
      known = `s${nextAlias}`;
      nextAlias += 1;
      aliases.set(key, known);
    }
    return known;
  }

  /** `bytes` with every statement and portal name replaced by its alias for `connection`. */
  function renamed(connection: number, bytes: Uint8Array): Uint8Array {
    if (bytes[0] === 0) return bytes; // a startup packet: no type byte, no names
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const parts: Uint8Array[] = [];
    let changed = false;
    for (let offset = 0; offset < bytes.length;) {
      const type = String.fromCharCode(bytes[offset] ?? 0);
      const end = offset + 1 + view.getInt32(offset + 1);
      const body = bytes.subarray(offset + 5, end);
      const names = nameFields(type, body);
      if (names.length === 0) {
        parts.push(bytes.subarray(offset, end));
      } else {
        changed = true;
        parts.push(
          message(
            type,
            replaceNames(body, names, (name) => alias(connection, name)),
          ),
        );
      }
      offset = end;
    }
    return changed ? joined(parts) : bytes;
  }

  function runNext(): boolean {
    const index =
      owner === undefined ? 0 : waiting.findIndex(({ connection }) => connection === owner);
    const next = index === -1 ? undefined : waiting.splice(index, 1)[0];
    if (!next) return false;
    if (next.connection === cleanup) {
      backend.run(next.bytes);
      return true;
    }
    const answer = backend.run(renamed(next.connection, next.bytes));
    owner = backend.inTransaction() ? next.connection : undefined;
    if (answer.byteLength > 0) backend.answer(next.connection, answer);
    return true;
  }

  return {
    receive(connection, bytes) {
      waiting.push({ connection, bytes });
      while (waiting.length > 0 && runNext());
    },
    end(connection) {
      for (let index = waiting.length - 1; index >= 0; index -= 1) {
        if (waiting[index]?.connection === connection) waiting.splice(index, 1);
      }
      if (owner === connection) {
        backend.run(message('Q', cstring('rollback')));
        owner = undefined;
      }
      const prefix = `${connection}/`;
      const closes: Uint8Array[] = [];
      for (const [key, name] of aliases) {
        if (!key.startsWith(prefix)) continue;
        aliases.delete(key);
        // Closing a name that is no statement (a portal's) is no error.
        closes.push(message('C', new Uint8Array([83 /* S */, ...cstring(name)])));
      }
      if (closes.length > 0) {
        // Run in its turn, outside any other connection's transaction.
        waiting.push({
          connection: cleanup,
          bytes: joined([...closes, message('S', new Uint8Array(0))]),
        });
      }
      while (waiting.length > 0 && runNext());
    },
  };
}

/** Where the statement or portal names are in a message body: [start, end) of each. */
function nameFields(type: string, body: Uint8Array): [number, number][] {
  const until = (start: number) => body.indexOf(0, start);
  if (type === 'P') {
    // Parse: statement name, query, …
    const end = until(0);
    return end > 0 ? [[0, end]] : [];
  }
  if (type === 'B') {
    // Bind: portal name, statement name, …
    const portalEnd = until(0);
    const statementEnd = until(portalEnd + 1);
    const fields: [number, number][] = [];
    if (portalEnd > 0) fields.push([0, portalEnd]);
    if (statementEnd > portalEnd + 1) fields.push([portalEnd + 1, statementEnd]);
    return fields;
  }
  if (type === 'D' || type === 'C') {
    // Describe, Close: 'S' or 'P', then the name
    const end = until(1);
    return end > 1 ? [[1, end]] : [];
  }
  return [];
}

/** `body` with each [start, end) field replaced by `rename` of its text. */
function replaceNames(
  body: Uint8Array,
  fields: [number, number][],
  rename: (name: string) => string,
): Uint8Array {
  const decoder = new TextDecoder();
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const [start, end] of fields) {
    parts.push(
      body.subarray(at, start),
      utf8.encode(rename(decoder.decode(body.subarray(start, end)))),
    );
    at = end;
  }
  parts.push(body.subarray(at));
  return joined(parts);
}

function joined(parts: Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole;
}
