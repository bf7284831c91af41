// Bulk test data for the bench: many realistic tickets, inserted with plain SQL so it runs the
// same on embedded PGlite and on PostgreSQL, and fast enough for 100k rows on PGlite.
import type { SqlExecutor } from '../src/db/client.js';

/** Generated authors get Telegram ids from here up; generated agents from `agentTelegramBase`. */
const authorTelegramBase = 800_000_000;
const authorCount = 2_000;
const agentTelegramBase = 800_100_000;
const minimumStaff = 10;
/** Rows per statement: big enough to be quick, small enough to keep PGlite responsive. */
const batchSize = 20_000;
const dayMs = 86_400_000;
const yearMs = 365 * dayMs;

/** The deterministic pseudo-random bigint number `k` of row `g`. */
const hash = (k: number) => `hashint8extended(g, $seed::bigint + ${k})`;
/** A deterministic pseudo-random whole number in [0, n) for row `g`. */
const roll = (k: number, n: number | string) => `abs(${hash(k)} % ${n})`;

/** A SQL string literal of one of our own constant words (quotes doubled all the same). */
const sqlString = (word: string) => "'" + word.replaceAll("'", "''") + "'";
/** A SQL array literal of our own constant words. */
const sqlArray = (words: readonly string[]) => `array[${words.map(sqlString).join(', ')}]::text[]`;
/** One of `words`, picked by roll `k`. */
const pick = (words: readonly string[], k: number) =>
  `(${sqlArray(words)})[1 + ${roll(k, words.length)}::int]`;

/** A UUIDv7 for time `at` (a timestamptz expression): its millisecond, then random bits. */
export const uuidV7 = (at: string) =>
  `overlay(overlay(replace(gen_random_uuid()::text, '-', '') placing ` +
  `lpad(to_hex((extract(epoch from ${at}) * 1000)::bigint), 12, '0') from 1 for 12) ` +
  `placing '7' from 13 for 1)::uuid`;

/** Binds the named parameters (`$seed`, …) of `text` to positional ones, in order. */
function bind(text: string, params: Record<string, unknown>): [string, unknown[]] {
  const names = Object.keys(params);
  const bound = text.replaceAll(/\$([a-z]\w*)/g, (match, name: string) => {
    const index = names.indexOf(name);
    if (index < 0) throw new Error(`seedTickets: no value for ${match}`);
    return `$${index + 1}`;
  });
  return [bound, names.map((name) => params[name])];
}

// English and Russian words, so full-text search in either language has something to find.
const subjectsEn = [
  'printer',
  'invoice',
  'password',
  'account',
  'payment',
  'subscription',
  'mobile app',
  'notification',
  'delivery',
  'refund',
  'screen',
  'login page',
  'monthly report',
  'export',
  'bank card',
  'server',
  'e-mail',
  'phone number',
  'order',
  'update',
];
const subjectsRu = [
  'принтер',
  'счёт',
  'пароль',
  'аккаунт',
  'оплата',
  'подписка',
  'приложение',
  'уведомление',
  'доставка',
  'возврат',
  'экран',
  'вход',
  'отчёт',
  'выгрузка',
  'карта',
  'сервер',
  'почта',
  'телефон',
  'заказ',
  'обновление',
];
const problemsEn = [
  'does not work',
  'shows an error',
  'is very slow',
  'keeps crashing',
  'was charged twice',
  'cannot be found',
  'stopped syncing',
  'needs to be changed',
  'is missing',
  'looks broken',
];
const problemsRu = [
  'не работает',
  'выдаёт ошибку',
  'работает очень медленно',
  'постоянно падает',
  'списали дважды',
  'не могу найти',
  'перестал синхронизироваться',
  'нужно изменить',
  'пропал',
  'отображается криво',
];
const contextsEn = [
  'since yesterday',
  'after the last update',
  'on Android',
  'on my iPhone',
  'in the Telegram app',
  'every morning',
  'for the whole team',
  'when I try to pay',
];
const contextsRu = [
  'со вчерашнего дня',
  'после последнего обновления',
  'на Android',
  'на iPhone',
  'в Telegram',
  'каждое утро',
  'у всей команды',
  'при попытке оплаты',
];
const extrasEn = [
  'I already tried restarting, it did not help.',
  'Please help, this is urgent.',
  'Screenshot attached.',
  'The error code is E-42.',
  'It worked fine last week.',
  'My colleague has the same problem.',
];
const extrasRu = [
  'Перезагрузка не помогла.',
  'Помогите, пожалуйста, срочно.',
  'Скриншот приложил.',
  'Код ошибки E-42.',
  'На прошлой неделе всё работало.',
  'У коллеги та же проблема.',
];
const firstNames = [
  'Anna',
  'Boris',
  'Clara',
  'David',
  'Elena',
  'Farid',
  'Greta',
  'Ivan',
  'Мария',
  'Дмитрий',
  'Ольга',
  'Сергей',
  'Наталья',
  'Алексей',
];
const lastNames = [
  'Smith',
  'Müller',
  'Rossi',
  'Kim',
  'Novak',
  'Иванов',
  'Смирнова',
  'Кузнецов',
  'Попова',
  'Соколов',
];
const categoryNames = ['Billing', 'Technical issue', 'Account', 'Feature request', 'Other'];

const capitalized = (text: string) => `upper(left(${text}, 1)) || substr(${text}, 2)`;

/** Authors: ordinary users created over the past ~13 months. */
const insertAuthors = `
  insert into users (id, telegram_id, username, first_name, last_name, role, language_code,
                     created_at, updated_at)
  select ${uuidV7('created_at')}, $base::bigint + g - 1, 'bench_user_' || g, first_name,
         last_name, 'user', language_code, created_at, created_at
  from (
    select g,
           $now::timestamptz - interval '400 days'
             + ${roll(2, yearMs)} * interval '1 millisecond' as created_at,
           ${pick(firstNames, 3)} as first_name,
           ${pick(lastNames, 4)} as last_name,
           case when ${roll(5, 10)} < 6 then 'en' else 'ru' end as language_code
    from generate_series(1::bigint, $count::bigint) g
    offset 0
  ) b
  on conflict (telegram_id) do nothing`;

/** Agents, when the database has too few staff to spread assignments over. */
const insertAgents = `
  insert into users (id, telegram_id, username, first_name, last_name, role, language_code,
                     created_at, updated_at)
  select ${uuidV7('created_at')}, $base::bigint + g - 1, 'bench_agent_' || g,
         'Agent', g::text, 'agent', 'en', created_at, created_at
  from (
    select g, $now::timestamptz - interval '400 days' + g * interval '1 day' as created_at
    from generate_series(1::bigint, $count::bigint) g
    offset 0
  ) b
  on conflict (telegram_id) do nothing`;

const insertCategories = `
  insert into categories (id, name, description, sort_order, created_at, updated_at)
  select ${uuidV7('$now::timestamptz')}, name, '', position - 1, $now::timestamptz, $now::timestamptz
  from unnest($names::text[]) with ordinality as c(name, position)
  on conflict do nothing`;

/**
 * Tickets `$from`..`$to` of the whole run: created at an even pace over the past year (with a
 * random millisecond within each step, so numbers follow creation times), most of them resolved
 * or closed, about 30% unassigned, written in English or Russian.
 */
const insertTickets = `
  insert into tickets (id, user_id, assigned_to, category_id, title, description, status,
                       priority, first_response_at, created_at, updated_at, closed_at)
  select ${uuidV7('created_at')}, user_id, assigned_to, category_id,
         ${capitalized('subject')} || ' ' || problem ||
           case when with_context then ' ' || context else '' end,
         greeting || ' ' || subject || ' ' || problem || ' ' || context || '. ' || extra ||
           ' ' || reference || ' #' || (100000 + g * 7 % 900000) || '.',
         status, priority,
         case when status <> 'open' then least(created_at + first_response, updated_at) end,
         created_at, updated_at,
         case when status = 'closed' then updated_at end
  from (
    select g, created_at, status::ticket_status, priority::ticket_priority, subject, problem,
           context, extra, greeting, reference, with_context, first_response,
           ($authors::uuid[])[1 + ${roll(10, 'cardinality($authors::uuid[])')}::int] as user_id,
           case when ${roll(11, 10)} >= 3
             then ($staff::uuid[])[1 + ${roll(12, 'cardinality($staff::uuid[])')}::int] end as assigned_to,
           ($categories::uuid[])[1 + ${roll(13, 'cardinality($categories::uuid[])')}::int] as category_id,
           least(created_at + case when status in ('open', 'in_progress', 'waiting')
                                  then ${roll(14, 3 * dayMs)} * interval '1 millisecond'
                                  else interval '10 minutes'
                                       + ${roll(14, 14 * dayMs)} * interval '1 millisecond' end,
                 $now::timestamptz) as updated_at
    from (
      select g, created_at,
             case when status_roll < 8 then 'open'
                  when status_roll < 14 then 'in_progress'
                  when status_roll < 20 then 'waiting'
                  when status_roll < 45 then 'resolved'
                  else 'closed' end as status,
             case when priority_roll < 20 then 'low'
                  when priority_roll < 70 then 'normal'
                  when priority_roll < 92 then 'high'
                  else 'critical' end as priority,
             case when english then ${pick(subjectsEn, 20)} else ${pick(subjectsRu, 20)} end as subject,
             case when english then ${pick(problemsEn, 21)} else ${pick(problemsRu, 21)} end as problem,
             case when english then ${pick(contextsEn, 22)} else ${pick(contextsRu, 22)} end as context,
             -- the closing remark is in either language, whatever the ticket's
             case when ${roll(23, 4)} = 0 then ${pick(extrasRu, 24)} else ${pick(extrasEn, 24)} end
               as extra,
             case when english then 'Hello! My' else 'Здравствуйте! У меня' end as greeting,
             case when english then 'Order' else 'Заказ' end as reference,
             ${roll(25, 3)} = 0 as with_context,
             interval '1 minute' + ${roll(26, 8 * 3600_000)} * interval '1 millisecond'
               as first_response
      from (
        select g,
               $start::timestamptz
                 + ((g - 1) * $step::bigint + ${roll(30, '$step::bigint')}) * interval '1 millisecond'
                 as created_at,
               ${roll(31, 100)} as status_roll,
               ${roll(32, 100)} as priority_roll,
               ${roll(33, 10)} < 6 as english
        from generate_series($from::bigint, $to::bigint) g
        offset 0
      ) r
      offset 0
    ) facts
    offset 0
  ) ticket`;

async function ids(executor: SqlExecutor, text: string): Promise<string[]> {
  const { rows } = await executor.executeSql(text);
  return rows.map((row) => String(row.id));
}

/**
 * Inserts `count` tickets (and the users and categories they need) for load tests: authors
 * spread over 2,000 generated users, assignees over the staff (10 agents are added when there
 * are fewer), the existing categories (5 added when there are none). Then analyzes the tables.
 * The same `seed` gives the same tickets apart from their ids.
 */
export async function seedTickets(
  executor: SqlExecutor,
  count: number,
  options: { seed?: number } = {},
): Promise<void> {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new Error(`seedTickets: count must be a whole number ≥ 0, not ${count}`);
  }
  const seed = (options.seed ?? 1) * 1000;
  const nowMs = Date.now();
  const now = new Date(nowMs).toISOString();
  const run = (text: string, params: Record<string, unknown>) =>
    executor.executeSql(...bind(text, params));

  await run(insertAuthors, { now, base: authorTelegramBase, count: authorCount, seed });
  const authors = await ids(
    executor,
    `select id from users where telegram_id between ${authorTelegramBase}
       and ${authorTelegramBase + authorCount - 1} order by telegram_id`,
  );

  const staffQuery = `select id from users where role <> 'user' and is_active order by telegram_id`;
  let staff = await ids(executor, staffQuery);
  if (staff.length < minimumStaff) {
    await run(insertAgents, { now, base: agentTelegramBase, count: minimumStaff });
    staff = await ids(executor, staffQuery);
  }

  const categoryQuery = `select id from categories where is_active order by sort_order, id`;
  let categories = await ids(executor, categoryQuery);
  if (categories.length === 0) {
    await run(insertCategories, { now, names: categoryNames });
    categories = await ids(executor, categoryQuery);
    if (categories.length === 0) throw new Error('seedTickets: no active category to use');
  }

  // An even pace over the past year; each ticket at a random millisecond within its step.
  const step = Math.max(1, Math.floor(yearMs / Math.max(count, 1)));
  const start = new Date(nowMs - step * count).toISOString();
  for (let from = 1; from <= count; from += batchSize) {
    const to = Math.min(count, from + batchSize - 1);
    await run(insertTickets, { seed, start, step, now, authors, staff, categories, from, to });
  }
  await executor.executeSql('analyze users, categories, tickets');
}
