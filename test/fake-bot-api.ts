import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createInlineQueries } from './fake-inline-queries.js';
import { testBotToken } from './init-data.js';

/** One Bot API call the fake server received, successful or not, in arrival order. */
export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  /** When it arrived, by the fake's clock (`now`, default `Date.now()`). */
  at: number;
  /** What the fake answered, for a successful call (the sent message, with its `message_id`). */
  result?: unknown;
}

/**
 * How the next call(s) of a method fail: a flood limit, a refusal, a server error, a dropped
 * connection, or no answer at all (`hang`: the call is recorded, the connection stays open until
 * the caller gives up or the fake closes).
 */
export type FakeFailure =
  | { status: 429; retryAfter: number }
  | { status: 403 | 400 | 500 | 502; description?: string }
  | 'network'
  | 'hang';

/** Telegram's limit of a message text, after entity parsing. */
const maxTextLength = 4096;

/** The tags Telegram's HTML parse mode knows (https://core.telegram.org/bots/api#html-style). */
const htmlTag =
  /<\/?(?:b|strong|i|em|u|ins|s|strike|del|code|pre|tg-spoiler|blockquote)>|<a href="[^"<>]*">|<\/a>/g;

/** A lone half of a surrogate pair: not UTF-8, which Telegram refuses. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks a message text as Telegram does: well-formed, HTML entities and tags parseable when
 * `parse_mode` is HTML, and at most 4096 characters once parsed. The refusal's description, or
 * undefined when Telegram would take it.
 */
function textProblem(text: unknown, parseMode: unknown): string | undefined {
  if (typeof text !== 'string' || text.length === 0) return 'Bad Request: message text is empty';
  if (loneSurrogate.test(text)) return 'Bad Request: strings must be encoded in UTF-8';
  let shown = text;
  if (parseMode === 'HTML') {
    const bare = text.replaceAll(htmlTag, '');
    if (/[<>]/.test(bare)) return "Bad Request: can't parse entities: unsupported start tag";
    if (/&(?!(?:lt|gt|amp|quot|#\d+|#x[\da-f]+);)/i.test(bare)) {
      return "Bad Request: can't parse entities: unsupported entity";
    }
    shown = bare.replaceAll(/&(?:lt|gt|amp|quot|#\d+|#x[\da-f]+);/gi, '.');
  }
  return shown.length > maxTextLength ? 'Bad Request: message is too long' : undefined;
}

/** Telegram's limit of a caption, after entity parsing. */
const maxCaptionLength = 1024;

/**
 * Checks a `sendDocument` as Telegram does (https://core.telegram.org/bots/api#senddocument): a
 * document given (an upload, a file id or a URL), an upload not empty, a caption of at most 1024
 * characters that parses. The refusal's description, or undefined when Telegram would take it.
 * Uploads over 50 MB never get this far: the server answers 413 (`handle`).
 */
function documentProblem(params: Record<string, unknown>): string | undefined {
  const document = params.document;
  if (document === undefined || document === '') {
    return 'Bad Request: there is no document in the request';
  }
  if (typeof document === 'object' && document !== null && 'bytes' in document) {
    if ((document as UploadedFile).bytes.length === 0) {
      return 'Bad Request: file must be non-empty';
    }
  } else if (typeof document === 'string' && document.startsWith('attach://')) {
    return 'Bad Request: there is no document in the request';
  }
  const caption = params.caption;
  if (typeof caption !== 'string' || caption === '') return undefined;
  const problem = textProblem(caption, params.parse_mode);
  if (problem && problem !== 'Bad Request: message is too long') return problem;
  const shown = params.parse_mode === 'HTML' ? caption.replaceAll(htmlTag, '') : caption;
  return shown.length > maxCaptionLength ? 'Bad Request: message caption is too long' : undefined;
}

/** Telegram's limit of a file a bot uploads (https://core.telegram.org/bots/api#sending-files). */
export const maxUploadBytes = 50 * 1024 * 1024;

/** A request body over Telegram's upload limit, which its front refuses with 413. */
class UploadTooLarge extends Error {}

/** A file the fake server can hand out through `getFile` and serve under `/file/bot<token>/`. */
export interface FakeFile {
  file_id: string;
  file_unique_id: string;
  file_size: number;
  file_path: string;
}

/** A fake Telegram Bot API HTTP server; point `TELEGRAM_API_ROOT` at `url`. */
export interface FakeBotApi {
  /** Use as TELEGRAM_API_ROOT. */
  url: string;
  /** The only bot token it accepts; others get 401 like Telegram. */
  token: string;
  /** Every call, successful or failed, in order. */
  calls: RecordedCall[];
  /** The calls of `method` (all calls without it) that succeeded. */
  sent(method?: string): RecordedCall[];
  /**
   * Resolves with the first successful call of `method` (`'*'`: any method) matching
   * `predicate`, past or future.
   */
  waitFor(
    method: string,
    predicate?: (c: RecordedCall) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedCall>;
  /**
   * Makes the next `times` (default 1) calls of `method` fail this way. `fileDownload` names
   * downloads from `/file/bot<token>/`; there `hang` sends the headers and half the file, then
   * nothing more (a download that stalls).
   */
  failNext(method: string, failure: FakeFailure, times?: number): void;
  /** From now on every send or edit to `chatId` fails with 403, as when the user blocked the bot. */
  blockChat(chatId: number): void;
  /**
   * The user deletes a message the bot sent them, in their Telegram client: editing it fails
   * from now on with Telegram's 400 "message to edit not found".
   */
  deleteByUser(chatId: number, messageId: number): void;
  /** Queues an update for `getUpdates` (long polling honours `offset` and `timeout`). */
  pushUpdate(update: object): void;
  /** Stores bytes as a Telegram file; `getFile` describes it and `/file/bot<token>/<path>` serves it. */
  addFile(bytes: Buffer, filePath?: string): FakeFile;
  /**
   * Gives the Telegram user a profile photo the bot can see: `getUserProfilePhotos` lists it in
   * these sizes, each stored as a file (`getFile` and the file download serve it). `[]` removes it.
   */
  setProfilePhoto(userId: number, sizes: { bytes: Buffer; width: number; height: number }[]): void;
  /** Serves bytes at a public URL, as Telegram serves a Mini App user's `photo_url`; the URL. */
  addUserpic(bytes: Buffer): string;
  /**
   * Makes `chatId` (negative, as Telegram's supergroup ids are) a forum supergroup the bot is in,
   * an administrator with the "manage topics" right unless `canManageTopics` is false.
   */
  addForumGroup(
    chatId: number,
    options?: { title?: string; canManageTopics?: boolean; botIsAdmin?: boolean },
  ): void;
  /** Makes `chatId` a supergroup without topics that the bot is an administrator of. */
  addPlainGroup(chatId: number, options?: { title?: string }): void;
  /** Grants or takes away the bot's "manage topics" right in a forum group. */
  setCanManageTopics(chatId: number, allowed: boolean): void;
  /** The topics of a chat (a forum group, or a private chat with topics), as Telegram keeps them. */
  topics(chatId: number): FakeTopic[];
  /** Someone deletes a topic in their Telegram client: sends into it fail from now on. */
  deleteTopicByUser(chatId: number, threadId: number): void;
  close(): Promise<void>;
}

/** A forum topic as the fake keeps it (in a forum group or a private chat with topics). */
export interface FakeTopic {
  message_thread_id: number;
  name: string;
  icon_color: number;
  icon_custom_emoji_id?: string;
  closed: boolean;
  deleted: boolean;
}

export interface FakeBotApiOptions {
  token?: string;
  /** `getMe().has_topics_enabled`: the bot may create topics in its private chats (Bot API 9.4). */
  privateTopics?: boolean;
  /**
   * Telegram's limit of messages a bot may send to one group (about 20 a minute): a send beyond
   * it fails with 429 and the seconds until one leaves the minute. Default 20.
   */
  groupMessagesPerMinute?: number;
  /** The fake's clock for the group limit (default `Date.now`), so tests need not wait a minute. */
  now?: () => number;
}

/**
 * The icons `getForumTopicIconStickers` offers (a part of Telegram's set): custom emoji ids of
 * the fake's own making, each with the emoji it shows.
 */
export const fakeTopicIcons: readonly { emoji: string; custom_emoji_id: string }[] = [
  '💬',
  '❗',
  '⚡',
  '🔥',
  '❓',
  '📝',
  '✅',
  '💡',
  '📰',
  '🔎',
].map((emoji, index) => ({
  emoji,
  custom_emoji_id: String(5_312_000_000_000_000_000n + BigInt(index)),
}));

const supportedMethods = new Set([
  'getMe',
  'sendMessage',
  'editMessageText',
  'editMessageReplyMarkup',
  'answerCallbackQuery',
  'answerInlineQuery',
  'deleteMessage',
  'setMyCommands',
  'deleteMyCommands',
  'setChatMenuButton',
  'setWebhook',
  'deleteWebhook',
  'getUpdates',
  'getFile',
  'sendPhoto',
  'sendDocument',
  'getUserProfilePhotos',
  'createForumTopic',
  'editForumTopic',
  'closeForumTopic',
  'reopenForumTopic',
  'deleteForumTopic',
  'getForumTopicIconStickers',
  'getChat',
  'getChatMember',
]);

type Reply =
  | { ok: true; result: unknown }
  | {
      ok: false;
      error_code: number;
      description: string;
      parameters?: { retry_after: number };
    };

interface Waiter {
  method: string;
  predicate: (c: RecordedCall) => boolean;
  resolve: (c: RecordedCall) => void;
}

/** Reads a JSON, urlencoded or multipart body (and the query string) into Bot API parameters. */
async function readParams(request: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    // Past the limit the rest is read and dropped, so the connection stays usable.
    if (size <= maxUploadBytes + 64 * 1024) chunks.push(chunk as Buffer);
  }
  // Telegram's front refuses an upload over 50 MB (with room for the form around the file).
  if (size > maxUploadBytes + 64 * 1024) throw new UploadTooLarge();
  const body = Buffer.concat(chunks);
  if (body.length === 0) return params;
  const type = request.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    return { ...params, ...(JSON.parse(body.toString('utf8')) as Record<string, unknown>) };
  }
  if (type.includes('multipart/form-data')) return { ...params, ...readMultipart(body, type) };
  for (const [key, value] of new URLSearchParams(body.toString('utf8'))) {
    params[key] = decodeField(value);
  }
  return params;
}

/** A file uploaded in a multipart request: its name and bytes, as Telegram receives them. */
export interface UploadedFile {
  file_name: string;
  bytes: Buffer;
}

/**
 * A lenient multipart reader: grammY writes headers without spaces and unquoted file names,
 * which strict parsers refuse. Files become `{file_name, bytes}`; a field naming
 * `attach://<part>` resolves to that part's file.
 */
function readMultipart(body: Buffer, contentType: string): Record<string, unknown> {
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2];
  if (!boundary) throw new Error('multipart body without a boundary');
  const fields: Record<string, unknown> = {};
  const files: Record<string, UploadedFile> = {};
  for (const part of body.toString('latin1').split(`--${boundary}`)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const headers = part.slice(0, headerEnd);
    const value = part.slice(headerEnd + 4).replace(/\r\n$/, '');
    const name = /name="?([^";\r\n]+)"?/i.exec(headers)?.[1];
    if (!name) continue;
    const fileName = /filename="?([^";\r\n]+)"?/i.exec(headers)?.[1];
    if (fileName === undefined)
      fields[name] = decodeField(Buffer.from(value, 'latin1').toString('utf8'));
    else {
      files[name] = {
        file_name: Buffer.from(fileName, 'latin1').toString('utf8'),
        bytes: Buffer.from(value, 'latin1'),
      };
    }
  }
  for (const [key, value] of Object.entries(fields)) {
    const attached = typeof value === 'string' && value.startsWith('attach://');
    if (attached) fields[key] = files[value.slice('attach://'.length)] ?? value;
  }
  return { ...files, ...fields };
}

/** Telegram's answers to an edit it cannot make (https://core.telegram.org/bots/api#editmessagetext). */
const editRefusals = {
  notFound: 'Bad Request: message to edit not found',
  notModified:
    'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
} as const;

/** A message the fake sent, as a chat shows it now. */
interface ShownMessage {
  chatId: number;
  text: string;
  parseMode: unknown;
  markup: string;
  deleted: boolean;
}

/** Form fields carry JSON-serialised objects (reply_markup, …); numbers and strings stay as sent. */
function decodeField(value: string): unknown {
  if (!/^[[{]/.test(value)) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** Telegram's answers about topics (https://core.telegram.org/bots/api#createforumtopic). */
const topicRefusals = {
  notForum: 'Bad Request: the chat is not a forum',
  noRightToCreate: 'Bad Request: not enough rights to create a topic',
  noRightToManage: 'Bad Request: CHAT_ADMIN_REQUIRED',
  threadNotFound: 'Bad Request: message thread not found',
  topicInvalid: 'Bad Request: TOPIC_ID_INVALID',
  notModified: 'Bad Request: TOPIC_NOT_MODIFIED',
  closed: 'Bad Request: TOPIC_CLOSED',
  nameInvalid: 'Bad Request: TOPIC_NAME_INVALID',
} as const;

/** A forum supergroup the bot is in. */
interface ForumGroup {
  title: string;
  canManageTopics: boolean;
  /** The bot is an administrator (else a plain member, who manages nothing). */
  botIsAdmin: boolean;
  /** When each message the bot sent to it went out (`now()`), for the per-group limit. */
  sentAt: number[];
}

/** Starts a fake Bot API on 127.0.0.1 at a random port. */
export async function startFakeBotApi(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  const token = options.token ?? testBotToken;
  const now = options.now ?? Date.now;
  const inlineQueries = createInlineQueries(textProblem);
  const groupLimit = options.groupMessagesPerMinute ?? 20;
  const forumGroups = new Map<number, ForumGroup>();
  /** Supergroups without topics the bot is in (`addPlainGroup`), by id: their titles. */
  const plainGroups = new Map<number, string>();
  /** Topics by chat: forum groups' and, with `privateTopics`, private chats'. */
  const topicsByChat = new Map<number, Map<number, FakeTopic>>();
  const calls: RecordedCall[] = [];
  const succeeded = new WeakSet<RecordedCall>();
  const failures = new Map<string, FakeFailure[]>();
  /** Chats whose user blocked the bot (`blockChat`). */
  const blockedChats = new Set<number>();
  const waiters = new Set<Waiter>();
  const updates: { update_id: number }[] = [];
  const pollers = new Set<() => void>();
  const files = new Map<string, { meta: FakeFile; bytes: Buffer }>();
  /** Profile photos by Telegram user id: the sizes of the newest one (`setProfilePhoto`). */
  const profilePhotos = new Map<number, object[]>();
  const userpics = new Map<string, Buffer>();
  const sockets = new Set<Socket>();
  /**
   * The messages it sent, by id, as their chats show them: so edits are refused as Telegram
   * refuses them. Ids it never issued (tests make up a user's message or a status message) are
   * taken as existing messages, and edits of them succeed.
   */
  const shown = new Map<number, ShownMessage>();
  let nextUpdateId = 1;
  let nextMessageId = 1;
  let closed = false;

  /** The chat as Telegram describes it in a message. */
  function chatOf(chatId: number): object {
    const group = forumGroups.get(chatId);
    return group
      ? { id: chatId, type: 'supergroup', title: group.title, is_forum: true }
      : { id: chatId, type: 'private' };
  }

  function message(params: Record<string, unknown>, extra: object = {}) {
    nextMessageId += 1;
    const threadId = params.message_thread_id === undefined ? 0 : Number(params.message_thread_id);
    const sent = {
      message_id: nextMessageId,
      date: Math.floor(Date.now() / 1000),
      chat: chatOf(Number(params.chat_id)),
      ...(threadId > 0 ? { message_thread_id: threadId, is_topic_message: true } : {}),
      ...(typeof params.text === 'string' ? { text: params.text } : {}),
      ...extra,
    };
    shown.set(sent.message_id, {
      chatId: Number(params.chat_id),
      text: typeof params.text === 'string' ? params.text : '',
      parseMode: params.parse_mode,
      markup: JSON.stringify(params.reply_markup ?? null),
      deleted: false,
    });
    return sent;
  }

  /** Telegram's refusal of this edit of a message the fake sent, or undefined when it edits. */
  function editProblem(params: Record<string, unknown>): string | undefined {
    const current = shown.get(Number(params.message_id));
    if (!current) return undefined;
    if (current.deleted || current.chatId !== Number(params.chat_id)) return editRefusals.notFound;
    const markup = JSON.stringify(params.reply_markup ?? null);
    const same =
      current.text === params.text &&
      current.parseMode === params.parse_mode &&
      current.markup === markup;
    return same ? editRefusals.notModified : undefined;
  }

  /** Why Telegram refuses this text or edit, or undefined when it takes it. */
  function refusal(method: string, params: Record<string, unknown>): string | undefined {
    const topicProblem = forumProblem(method, params);
    if (topicProblem) return topicProblem;
    if (method === 'sendMessage') return textProblem(params.text, params.parse_mode);
    if (method === 'sendDocument') return documentProblem(params);
    if (method === 'answerInlineQuery') return inlineQueries.problem(params);
    if (method !== 'editMessageText') return undefined;
    return textProblem(params.text, params.parse_mode) ?? editProblem(params);
  }

  /** The topic a call names, when its chat has topics; undefined when it names none. */
  function topicOf(params: Record<string, unknown>): FakeTopic | undefined {
    if (params.message_thread_id === undefined) return undefined;
    return topicsByChat.get(Number(params.chat_id))?.get(Number(params.message_thread_id));
  }

  /** Whether a chat has topics: a forum group, or a private chat when the bot has them. */
  function hasTopics(chatId: number): boolean {
    return forumGroups.has(chatId) || (options.privateTopics === true && chatId > 0);
  }

  /** Why Telegram refuses a forum method, or a send into a topic; undefined when it takes it. */
  function forumProblem(method: string, params: Record<string, unknown>): string | undefined {
    if (method === 'createForumTopic') return createProblem(params);
    if (/^(edit|close|reopen|delete)ForumTopic$/.test(method)) return manageProblem(method, params);
    if (!method.startsWith('send') || params.message_thread_id === undefined) return undefined;
    if (!hasTopics(Number(params.chat_id))) return undefined;
    const topic = topicOf(params);
    if (!topic || topic.deleted) return topicRefusals.threadNotFound;
    const inGroup = forumGroups.has(Number(params.chat_id));
    return inGroup && topic.closed ? topicRefusals.closed : undefined;
  }

  function createProblem(params: Record<string, unknown>): string | undefined {
    const chatId = Number(params.chat_id);
    if (!hasTopics(chatId)) return topicRefusals.notForum;
    if (forumGroups.get(chatId)?.canManageTopics === false) return topicRefusals.noRightToCreate;
    const name = typeof params.name === 'string' ? params.name : '';
    return name.length === 0 || name.length > 128 ? topicRefusals.nameInvalid : undefined;
  }

  function manageProblem(method: string, params: Record<string, unknown>): string | undefined {
    const chatId = Number(params.chat_id);
    if (!hasTopics(chatId)) return topicRefusals.notForum;
    if (forumGroups.get(chatId)?.canManageTopics === false) return topicRefusals.noRightToManage;
    const topic = topicOf(params);
    if (!topic || topic.deleted) return topicRefusals.topicInvalid;
    const unchanged =
      (method === 'closeForumTopic' && topic.closed) ||
      (method === 'reopenForumTopic' && !topic.closed) ||
      (method === 'editForumTopic' && sameTopic(topic, params));
    return unchanged ? topicRefusals.notModified : undefined;
  }

  /** Whether an edit of a topic changes nothing. */
  function sameTopic(topic: FakeTopic, params: Record<string, unknown>): boolean {
    const sameName = params.name === undefined || params.name === topic.name;
    const icon = params.icon_custom_emoji_id;
    return sameName && (icon === undefined || icon === (topic.icon_custom_emoji_id ?? ''));
  }

  /** A 429 when this send would pass the group's messages-a-minute limit; else records it. */
  function groupFlood(method: string, params: Record<string, unknown>): Reply | undefined {
    if (!method.startsWith('send') && method !== 'createForumTopic') return undefined;
    const group = forumGroups.get(Number(params.chat_id));
    if (!group) return undefined;
    const at = now();
    group.sentAt = group.sentAt.filter((sent) => at - sent < 60_000);
    const oldest = group.sentAt[0];
    if (group.sentAt.length >= groupLimit && oldest !== undefined) {
      return failureReply({ status: 429, retryAfter: Math.ceil((oldest + 60_000 - at) / 1000) });
    }
    group.sentAt.push(at);
    return undefined;
  }

  /** Answers a forum method whose call `forumProblem` let through. */
  function forumAnswer(method: string, params: Record<string, unknown>): unknown {
    const chatId = Number(params.chat_id);
    if (method === 'createForumTopic') {
      nextMessageId += 1;
      const topic: FakeTopic = {
        message_thread_id: nextMessageId,
        name: String(params.name),
        icon_color: Number(params.icon_color ?? 0x6fb9f0),
        ...(typeof params.icon_custom_emoji_id === 'string'
          ? { icon_custom_emoji_id: params.icon_custom_emoji_id }
          : {}),
        closed: false,
        deleted: false,
      };
      const chatTopics = topicsByChat.get(chatId) ?? new Map<number, FakeTopic>();
      chatTopics.set(topic.message_thread_id, topic);
      topicsByChat.set(chatId, chatTopics);
      return {
        message_thread_id: topic.message_thread_id,
        name: topic.name,
        icon_color: topic.icon_color,
        ...(topic.icon_custom_emoji_id ? { icon_custom_emoji_id: topic.icon_custom_emoji_id } : {}),
      };
    }
    const topic = topicOf(params);
    if (!topic) return true;
    if (method === 'editForumTopic') {
      if (typeof params.name === 'string') topic.name = params.name;
      if (typeof params.icon_custom_emoji_id === 'string') {
        topic.icon_custom_emoji_id = params.icon_custom_emoji_id || undefined;
      }
    }
    if (method === 'closeForumTopic') topic.closed = true;
    if (method === 'reopenForumTopic') topic.closed = false;
    if (method === 'deleteForumTopic') topic.deleted = true;
    return true;
  }

  /** Edits a message's text, as its chat shows it from now on; the edited message. */
  function edit(params: Record<string, unknown>) {
    const messageId = Number(params.message_id);
    const current = shown.get(messageId);
    if (current) {
      current.text = String(params.text);
      current.parseMode = params.parse_mode;
      current.markup = JSON.stringify(params.reply_markup ?? null);
    }
    return {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      edit_date: Math.floor(Date.now() / 1000),
      chat: chatOf(Number(params.chat_id)),
      text: params.text,
    };
  }

  async function longPoll(params: Record<string, unknown>): Promise<unknown[]> {
    const offset = Number(params.offset ?? 0);
    // A non-negative offset confirms every update before it, as Telegram does.
    if (offset > 0) {
      while (updates.length > 0 && (updates[0]?.update_id ?? 0) < offset) updates.shift();
    }
    const waitS = Math.min(Number(params.timeout ?? 0), 50);
    if (updates.length === 0 && waitS > 0 && !closed) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          pollers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, waitS * 1000);
        pollers.add(wake);
      });
    }
    const limit = Number(params.limit ?? 100);
    return updates.filter((u) => u.update_id >= offset).slice(0, limit);
  }

  async function answer(method: string, params: Record<string, unknown>): Promise<unknown> {
    switch (method) {
      case 'getMe':
        return {
          id: Number(token.split(':')[0]),
          is_bot: true,
          first_name: 'Ticket Bot',
          username: 'ticket_test_bot',
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: true,
          can_connect_to_business: false,
          has_main_web_app: false,
          has_topics_enabled: options.privateTopics === true,
          allows_users_to_create_topics: false,
        };
      case 'createForumTopic':
      case 'editForumTopic':
      case 'closeForumTopic':
      case 'reopenForumTopic':
      case 'deleteForumTopic':
        return forumAnswer(method, params);
      case 'getForumTopicIconStickers':
        return fakeTopicIcons.map(({ emoji, custom_emoji_id }) => ({
          file_id: `sticker_${custom_emoji_id}`,
          file_unique_id: `s${custom_emoji_id}`,
          type: 'custom_emoji',
          width: 100,
          height: 100,
          is_animated: false,
          is_video: false,
          emoji,
          custom_emoji_id,
        }));
      case 'sendMessage':
        return message(params);
      case 'sendPhoto':
        return message(params, {
          photo: [{ file_id: 'photo', file_unique_id: 'p', width: 1, height: 1 }],
        });
      case 'sendDocument':
        return message(params, { document: { file_id: 'doc', file_unique_id: 'd' } });
      case 'editMessageText':
        return edit(params);
      case 'deleteMessage': {
        const deleted = shown.get(Number(params.message_id));
        if (deleted?.chatId === Number(params.chat_id)) deleted.deleted = true;
        return true;
      }
      case 'getUpdates':
        return longPoll(params);
      case 'getUserProfilePhotos': {
        const sizes = profilePhotos.get(Number(params.user_id));
        return { total_count: sizes ? 1 : 0, photos: sizes ? [sizes] : [] };
      }
      default:
        return true;
    }
  }

  /** `getChat` and `getChatMember` of a group the fake knows; "chat not found" otherwise. */
  function chatReply(method: string, params: Record<string, unknown>): Reply {
    const chatId = Number(params.chat_id);
    const group = forumGroups.get(chatId);
    const title = group?.title ?? plainGroups.get(chatId);
    if (title === undefined) {
      return { ok: false, error_code: 400, description: 'Bad Request: chat not found' };
    }
    if (method === 'getChat') {
      return {
        ok: true,
        result: {
          id: chatId,
          type: 'supergroup',
          title,
          ...(group ? { is_forum: true } : {}),
          accent_color_id: 0,
          max_reaction_count: 11,
          accepted_gift_types: {
            unlimited_gifts: false,
            limited_gifts: false,
            unique_gifts: false,
            premium_subscription: false,
          },
        },
      };
    }
    const userId = Number(params.user_id);
    const botId = Number(token.split(':')[0]);
    if (userId !== botId) {
      return {
        ok: true,
        result: { status: 'member', user: { id: userId, is_bot: false, first_name: 'Member' } },
      };
    }
    const bot = { id: botId, is_bot: true, first_name: 'Ticket Bot', username: 'ticket_test_bot' };
    if (group && !group.botIsAdmin) return { ok: true, result: { status: 'member', user: bot } };
    return {
      ok: true,
      result: {
        status: 'administrator',
        user: bot,
        can_be_edited: false,
        is_anonymous: false,
        can_manage_chat: true,
        can_delete_messages: true,
        can_manage_video_chats: false,
        can_restrict_members: false,
        can_promote_members: false,
        can_change_info: false,
        can_invite_users: true,
        can_post_stories: false,
        can_edit_stories: false,
        can_delete_stories: false,
        can_pin_messages: true,
        can_manage_topics: group?.canManageTopics ?? false,
      },
    };
  }

  /** Records and sends the answer of a lookup (the chat or file it found, or the refusal). */
  function answerLookup(call: RecordedCall, reply: Reply, response: ServerResponse): void {
    if (reply.ok) call.result = reply.result;
    record(call, reply.ok);
    send(response, reply);
  }

  /** The answer of a method that looks something up (a file, a chat), or undefined. */
  function lookupReply(method: string, params: Record<string, unknown>): Reply | undefined {
    if (method === 'getChat' || method === 'getChatMember') return chatReply(method, params);
    if (method === 'getFile') return fileReply(String(params.file_id));
    return undefined;
  }

  function fileReply(fileId: string): Reply {
    const file = files.get(fileId);
    return file
      ? { ok: true, result: file.meta }
      : { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' };
  }

  function failureReply(failure: Exclude<FakeFailure, 'network' | 'hang'>): Reply {
    if (failure.status === 429) {
      return {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${failure.retryAfter}`,
        parameters: { retry_after: failure.retryAfter },
      };
    }
    const fallbacks = {
      400: 'Bad Request: chat not found',
      403: 'Forbidden: bot was blocked by the user',
      500: 'Internal Server Error',
      502: 'Bad Gateway',
    };
    const fallback = fallbacks[failure.status];
    return { ok: false, error_code: failure.status, description: failure.description ?? fallback };
  }

  function record(call: RecordedCall, ok: boolean): void {
    calls.push(call);
    if (!ok) return;
    succeeded.add(call);
    for (const waiter of waiters) {
      if ((waiter.method === '*' || waiter.method === call.method) && waiter.predicate(call)) {
        waiters.delete(waiter);
        waiter.resolve(call);
      }
    }
  }

  function send(response: ServerResponse, reply: Reply): void {
    response.writeHead(reply.ok ? 200 : reply.error_code, { 'content-type': 'application/json' });
    response.end(JSON.stringify(reply));
  }

  /** Serves a stored file's bytes, or fails as `failNext('fileDownload', …)` asked. */
  function serveFile(request: IncomingMessage, response: ServerResponse, bytes: Buffer): void {
    const failure = failures.get('fileDownload')?.shift();
    if (failure === 'network') {
      request.socket.destroy();
      return;
    }
    if (failure === 'hang') {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      return;
    }
    if (failure) {
      response.writeHead(failure.status).end('Failed');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    const userpic = userpics.get(url.pathname);
    if (userpic) {
      response.writeHead(200, { 'content-type': 'image/jpeg' }).end(userpic);
      return;
    }
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch) {
      const file = [...files.values()].find((f) => f.meta.file_path === fileMatch[2]);
      if (fileMatch[1] !== token || !file) {
        response.writeHead(404).end('Not Found');
        return;
      }
      serveFile(request, response, file.bytes);
      return;
    }
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!match) {
      send(response, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    const [, callToken = '', method = ''] = match;
    const params = await readParams(request, url);
    const call: RecordedCall = { method, params, at: now() };
    if (callToken !== token) {
      record(call, false);
      send(response, { ok: false, error_code: 401, description: 'Unauthorized' });
      return;
    }
    if (!supportedMethods.has(method)) {
      record(call, false);
      send(response, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    const toChat = method.startsWith('send') || method.startsWith('edit');
    if (toChat && blockedChats.has(Number(params.chat_id))) {
      record(call, false);
      send(response, failureReply({ status: 403 }));
      return;
    }
    const failure = failures.get(method)?.shift();
    if (failure === 'network') {
      record(call, false);
      request.socket.destroy();
      return;
    }
    if (failure === 'hang') {
      record(call, false);
      return;
    }
    if (failure) {
      record(call, false);
      send(response, failureReply(failure));
      return;
    }
    const problem = refusal(method, params);
    if (problem) {
      record(call, false);
      send(response, { ok: false, error_code: 400, description: problem });
      return;
    }
    const flood = groupFlood(method, params);
    if (flood) {
      record(call, false);
      send(response, flood);
      return;
    }
    const lookup = lookupReply(method, params);
    if (lookup) {
      answerLookup(call, lookup, response);
      return;
    }
    const result = await answer(method, params);
    call.result = result;
    record(call, true);
    send(response, { ok: true, result });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (error instanceof UploadTooLarge) {
        const method = /\/([A-Za-z]+)$/.exec(request.url ?? '')?.[1] ?? '';
        record({ method, params: {}, at: now() }, false);
        send(response, { ok: false, error_code: 413, description: 'Request Entity Too Large' });
        return;
      }
      send(response, { ok: false, error_code: 400, description: `Bad Request: ${String(error)}` });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  function addFile(bytes: Buffer, filePath?: string): FakeFile {
    const fileId = `file_${randomBytes(6).toString('hex')}`;
    const meta: FakeFile = {
      file_id: fileId,
      file_unique_id: `u${randomBytes(4).toString('hex')}`,
      file_size: bytes.length,
      file_path: filePath ?? `documents/${fileId}`,
    };
    files.set(fileId, { meta, bytes });
    return meta;
  }

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    calls,
    sent(method) {
      return calls.filter((c) => succeeded.has(c) && (method === undefined || c.method === method));
    },
    waitFor(method, predicate = () => true, timeoutMs = 10_000) {
      const matches = (c: RecordedCall) => method === '*' || c.method === method;
      const past = calls.find((c) => succeeded.has(c) && matches(c) && predicate(c));
      if (past) return Promise.resolve(past);
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          method,
          predicate,
          resolve: (c) => {
            clearTimeout(timer);
            resolve(c);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`fake Bot API: no ${method} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    blockChat(chatId) {
      blockedChats.add(chatId);
    },
    deleteByUser(chatId, messageId) {
      const message = shown.get(messageId);
      if (message?.chatId === chatId) message.deleted = true;
    },
    failNext(method, failure, times = 1) {
      const queue = failures.get(method) ?? [];
      for (let i = 0; i < times; i += 1) queue.push(failure);
      failures.set(method, queue);
    },
    pushUpdate(update) {
      inlineQueries.delivered(update);
      updates.push({ ...update, update_id: nextUpdateId });
      nextUpdateId += 1;
      for (const wake of [...pollers]) wake();
    },
    addFile,
    setProfilePhoto(userId, sizes) {
      if (sizes.length === 0) {
        profilePhotos.delete(userId);
        return;
      }
      profilePhotos.set(
        userId,
        sizes.map(({ bytes, width, height }) => {
          const file = addFile(bytes, `photos/${randomBytes(6).toString('hex')}.jpg`);
          return { ...file, width, height };
        }),
      );
    },
    addUserpic(bytes) {
      const name = `/i/userpic/320/${randomBytes(6).toString('hex')}.jpg`;
      userpics.set(name, bytes);
      return `http://127.0.0.1:${port}${name}`;
    },
    addForumGroup(
      chatId,
      { title = 'Support team', canManageTopics = true, botIsAdmin = true } = {},
    ) {
      forumGroups.set(chatId, {
        title,
        canManageTopics: canManageTopics && botIsAdmin,
        botIsAdmin,
        sentAt: [],
      });
      if (!topicsByChat.has(chatId)) topicsByChat.set(chatId, new Map());
    },
    addPlainGroup(chatId, { title = 'Plain group' } = {}) {
      plainGroups.set(chatId, title);
    },
    setCanManageTopics(chatId, allowed) {
      const group = forumGroups.get(chatId);
      if (group) group.canManageTopics = allowed;
    },
    topics(chatId) {
      return [...(topicsByChat.get(chatId)?.values() ?? [])].map((topic) => ({ ...topic }));
    },
    deleteTopicByUser(chatId, threadId) {
      const topic = topicsByChat.get(chatId)?.get(threadId);
      if (topic) topic.deleted = true;
    },
    async close() {
      closed = true;
      for (const wake of [...pollers]) wake();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
