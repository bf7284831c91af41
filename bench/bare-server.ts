// The bare baseline of `npm run bench:load` (bench/load.ts): Fastify + node-postgres and nothing
// else, running the same SQL as our server for the four requests of the load (read off
// PostgreSQL's statement log), behind a JWT signature check with the same secret. It tells how
// much of a request's time is ours rather than Node's, HTTP's and PostgreSQL's. Started as a
// process of its own; prints `bare server ready at <url>`.
import Fastify, { type FastifyRequest } from 'fastify';
import { jwtVerify } from 'jose';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';

const databaseUrl = process.env.DATABASE_URL;
const jwtSecret = process.env.JWT_SECRET;
if (!databaseUrl || !jwtSecret) throw new Error('bare-server: DATABASE_URL and JWT_SECRET');
const secret = new TextEncoder().encode(jwtSecret);
const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });

const ticketColumns =
  'id, number, user_id, assigned_to, category_id, title, description, status, priority, ' +
  'first_response_at, created_at, updated_at, closed_at';
const messageColumns = 'id, ticket_id, user_id, content, is_internal, created_at, edited_at';

/** The user id of a validly signed bearer token; answers 401 otherwise. */
async function caller(request: FastifyRequest): Promise<string | undefined> {
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!token) return undefined;
  try {
    const { payload } = await jwtVerify(token, secret, {
      issuer: 'telegram-ticket-bot',
      audience: 'telegram-ticket-bot/api',
      algorithms: ['HS256'],
    });
    return payload.sub;
  } catch {
    return undefined;
  }
}

const app = Fastify();

app.get('/one-row', async () => {
  const { rows } = await pool.query('select id, title from tickets limit 1');
  return rows[0] ?? {};
});

app.get('/api/v1/tickets', async (request, reply) => {
  const userId = await caller(request);
  if (!userId) return reply.code(401).send();
  const { rows } = await pool.query(
    `select ${ticketColumns} from tickets where user_id = $1 order by created_at desc, id desc limit $2`,
    [userId, 21],
  );
  return { items: rows.slice(0, 20), next_cursor: null };
});

app.get<{ Params: { id: string } }>('/api/v1/tickets/:id', async (request, reply) => {
  const userId = await caller(request);
  if (!userId) return reply.code(401).send();
  const { rows } = await pool.query(
    `select ${ticketColumns} from tickets where id = $1 and user_id = $2`,
    [request.params.id, userId],
  );
  return rows[0] ?? reply.code(404).send();
});

app.get<{ Params: { id: string } }>('/api/v1/tickets/:id/messages', async (request, reply) => {
  const userId = await caller(request);
  if (!userId) return reply.code(401).send();
  const ticket = await pool.query(
    `select ${ticketColumns} from tickets where id = $1 and user_id = $2`,
    [request.params.id, userId],
  );
  if (ticket.rowCount === 0) return reply.code(404).send();
  const messages = await pool.query(
    `select ${messageColumns} from messages where ticket_id = $1 and is_internal = $2 order by created_at asc, id asc limit $3`,
    [request.params.id, false, 51],
  );
  const authors = [...new Set(messages.rows.map((row: { user_id: string }) => row.user_id))];
  const ids = messages.rows.map((row: { id: string }) => row.id);
  const [users, attachments] = [
    await pool.query(
      'select id, first_name, last_name, avatar_url, role from users where id = any($1)',
      [authors],
    ),
    await pool.query(
      'select * from attachments where message_id = any($1) order by created_at asc, id asc',
      [ids],
    ),
  ];
  return { items: messages.rows.slice(0, 50), users: users.rows, attachments: attachments.rows };
});

app.post<{ Params: { id: string }; Body: { content: string } }>(
  '/api/v1/tickets/:id/messages',
  async (request, reply) => {
    const userId = await caller(request);
    if (!userId) return reply.code(401).send();
    const client = await pool.connect();
    try {
      await client.query('begin');
      const ticket = await client.query(
        `select ${ticketColumns} from tickets where id = $1 and user_id = $2 for update`,
        [request.params.id, userId],
      );
      if (ticket.rowCount === 0) {
        await client.query('rollback');
        return reply.code(404).send();
      }
      const now = new Date();
      const message = await client.query(
        `insert into messages (id, ticket_id, user_id, content, is_internal, created_at) values ($1, $2, $3, $4, false, $5) returning ${messageColumns}`,
        [uuidv7(), request.params.id, userId, request.body.content, now],
      );
      await client.query(
        'insert into audit_log (id, actor_id, action, entity_type, entity_id, ticket_id, after, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)',
        [
          uuidv7(),
          userId,
          'message.created',
          'message',
          message.rows[0].id,
          request.params.id,
          {},
          now,
        ],
      );
      await client.query('update tickets set updated_at = $1 where id = $2', [
        now,
        request.params.id,
      ]);
      await client.query('commit');
      return reply.code(201).send(message.rows[0]);
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  },
);

const url = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`bare server ready at ${url}`);
process.once('SIGTERM', () => {
  void app.close().then(() => pool.end());
});
