// The load of `bench/fault-drill.ts`, in a process of its own so that the drill's stopping and
// starting of servers (blocking pg_ctl calls) never delays a request or its timing. Started with
// an IPC channel: says `ready`, takes one `start` message, sends requests at a steady rate until `stop`, waits
// for those under way, and answers with every request's record (`done`).

/** One signed-in customer and the ticket it talks on. */
export interface LoadUser {
  token: string;
  ticketId: string;
}

/** What the drill tells the load process. */
export type LoadCommand =
  | { type: 'start'; url: string; perSecond: number; timeoutMs: number; users: LoadUser[] }
  | { type: 'stop' };

/** One request: what was asked, when, and what came of it. */
export interface RequestRecord {
  kind: 'list' | 'get' | 'post';
  /** `Date.now()` when sent and when answered or failed. */
  startedAt: number;
  endedAt: number;
  /** The HTTP status; 0 when no answer came. */
  status: number;
  /** For anything but 2xx: status and problem title, or the error code (ECONNRESET, timeout…). */
  cause?: string;
  ticketId: string;
  /** For a post: the text sent, and the message id when acknowledged. */
  text?: string;
  messageId?: string;
}

/** What the load process answers at the end. */
export interface LoadDone {
  type: 'done';
  records: RequestRecord[];
}

/** Why a request got no answer: the error's code, as specific as Node says it. */
function errorCause(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return 'timeout';
  }
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (error instanceof Error)
    return error.cause instanceof Error ? error.cause.message : error.message;
  return String(error);
}

/** The cause of a non-2xx answer: its status and the problem's title (or code). */
async function answerCause(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { title?: unknown; code?: unknown };
    const what = typeof body.code === 'string' ? body.code : body.title;
    return typeof what === 'string' ? `${response.status} ${what}` : String(response.status);
  } catch {
    return `${response.status} (not JSON)`;
  }
}

/** 40 % ticket lists, 30 % single tickets, 30 % posted messages. */
const kinds: RequestRecord['kind'][] = ['list', 'list', 'list', 'list', 'get', 'get', 'get'];

/** The URL and request of one kind, for `user`; a post sends `text`. */
function request(
  url: string,
  kind: RequestRecord['kind'],
  user: LoadUser,
  text: string | undefined,
): [string, RequestInit] {
  const authorization = `Bearer ${user.token}`;
  if (kind === 'list') return [`${url}/api/v1/tickets?limit=20`, { headers: { authorization } }];
  if (kind === 'get')
    return [`${url}/api/v1/tickets/${user.ticketId}`, { headers: { authorization } }];
  return [
    `${url}/api/v1/tickets/${user.ticketId}/messages`,
    {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ content: text }),
    },
  ];
}

async function one(
  command: Extract<LoadCommand, { type: 'start' }>,
  n: number,
): Promise<RequestRecord> {
  const user = command.users[n % command.users.length]!;
  const kind = kinds[n % 10] ?? 'post';
  const text = kind === 'post' ? `drill message ${n} at ${Date.now()}` : undefined;
  const [target, init] = request(command.url, kind, user, text);
  const record: RequestRecord = {
    kind,
    startedAt: Date.now(),
    endedAt: 0,
    status: 0,
    ticketId: user.ticketId,
    ...(text === undefined ? {} : { text }),
  };
  try {
    const response = await fetch(target, {
      ...init,
      signal: AbortSignal.timeout(command.timeoutMs),
    });
    record.status = response.status;
    if (!response.ok) record.cause = await answerCause(response);
    else if (kind === 'post') record.messageId = ((await response.json()) as { id?: string }).id;
    else await response.arrayBuffer();
  } catch (error) {
    record.cause = errorCause(error);
  }
  record.endedAt = Date.now();
  return record;
}

/** Sends `perSecond` requests a second (open loop: never waits for answers) until stopped. */
function run(command: Extract<LoadCommand, { type: 'start' }>): () => Promise<RequestRecord[]> {
  const started = Date.now();
  const pending = new Set<Promise<RequestRecord>>();
  const records: RequestRecord[] = [];
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - started) * command.perSecond) / 1000);
    while (sent < due) {
      const request = one(command, sent);
      sent += 1;
      pending.add(request);
      void request.then((record) => {
        records.push(record);
        pending.delete(request);
      });
    }
  }, 5);
  return async () => {
    clearInterval(timer);
    await Promise.all([...pending]);
    return records;
  };
}

let stop: (() => Promise<RequestRecord[]>) | undefined;
process.on('message', (message: LoadCommand) => {
  if (message.type === 'start') stop = run(message);
  else if (stop) {
    void stop().then((records) => {
      const done: LoadDone = { type: 'done', records };
      process.send?.(done, () => process.exit(0));
    });
  }
});
// The drill gone (killed, crashed): nothing to report to, so end too.
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });
