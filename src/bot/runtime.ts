import { GrammyError, type Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { longPollS } from '../telegram/bot-api.js';
import { createBot } from './bot.js';
import type { BotContext } from './context.js';
import { botDepsOf, type BotDeps, type BotSources } from './deps.js';
import { setUpBot } from './setup.js';
import { botUpdateQueue } from './update-queue.js';

/** The update kinds the bot handles. */
export const allowedUpdates = [
  'message',
  'edited_message',
  'callback_query',
  'inline_query',
  'my_chat_member',
] as const;

/** A running bot; `stop` ends polling or the webhook worker's handling. */
export interface RunningBot {
  bot: Bot<BotContext>;
  mode: 'polling' | 'webhook';
  stop(): Promise<void>;
}

/** Thrown for a queued update once the bot is stopping: pg-boss retries it later. */
class BotStopping extends Error {
  override name = 'BotStopping';
}

/**
 * Registers the webhook (with its secret) and handles the updates the API role's webhook route
 * queued. Stopping refuses new jobs (they are retried) and waits for those under way.
 */
async function startWebhookMode(
  deps: Pick<BotDeps, 'config' | 'logger' | 'queue'>,
  bot: Bot<BotContext>,
  url: string,
  unsubscribe: () => Promise<void>,
): Promise<RunningBot> {
  const { config, logger, queue } = deps;
  await bot.api.setWebhook(url, {
    ...(config.TELEGRAM_WEBHOOK_SECRET ? { secret_token: config.TELEGRAM_WEBHOOK_SECRET } : {}),
    allowed_updates: [...allowedUpdates],
  });
  let stopping = false;
  const underWay = new Set<Promise<void>>();
  await queue.work<Update>(botUpdateQueue, async (job) => {
    if (stopping) throw new BotStopping('the bot is stopping; the update waits for the next one');
    const handling = bot.handleUpdate(job.data);
    underWay.add(handling);
    try {
      await handling;
    } finally {
      underWay.delete(handling);
    }
  });
  logger.info(
    { username: bot.botInfo.username, topics: bot.botInfo.has_topics_enabled === true },
    'bot: taking updates from the webhook',
  );
  return {
    bot,
    mode: 'webhook',
    async stop() {
      stopping = true;
      await unsubscribe();
      await Promise.allSettled([...underWay]);
    },
  };
}

/**
 * Fetches the bot's own profile (`getMe`). A refused token is the likely operator mistake, so it
 * is named in words they can act on instead of grammY's bare "401: Unauthorized".
 */
async function introduce(bot: Bot<BotContext>): Promise<void> {
  try {
    await bot.init();
  } catch (error) {
    if (error instanceof GrammyError && error.error_code === 401) {
      throw new Error(
        'Telegram refused TELEGRAM_BOT_TOKEN (getMe: 401 Unauthorized): check the token from @BotFather',
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Starts the bot role: without `TELEGRAM_WEBHOOK_URL`, long polling from `TELEGRAM_API_ROOT`;
 * with it, registers the webhook (with its secret) and handles the updates the API role's
 * webhook route queued. The bot's dependencies are built here, once. Resolves once the bot
 * takes updates.
 */
export async function startBot(sources: BotSources): Promise<RunningBot> {
  const deps = botDepsOf(sources);
  const bot = createBot(deps);
  await introduce(bot);
  const { config, logger } = deps;
  const unsubscribe = await setUpBot(deps, bot.api);

  if (config.TELEGRAM_WEBHOOK_URL) {
    return startWebhookMode(deps, bot, config.TELEGRAM_WEBHOOK_URL, unsubscribe);
  }

  let polling: Promise<void> | undefined;
  await new Promise<void>((resolve, reject) => {
    polling = bot
      .start({
        allowed_updates: [...allowedUpdates],
        timeout: longPollS,
        onStart: () => resolve(),
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'bot: long polling stopped with an error');
        reject(error instanceof Error ? error : new Error(String(error)));
      });
  });
  // getMe is read once at start (`introduce`) and kept in `bot.botInfo` until a restart;
  // `topics`: the bot has topics in private chats (a ticket per topic, `customer-topics/`).
  logger.info(
    { username: bot.botInfo.username, topics: bot.botInfo.has_topics_enabled === true },
    'bot: long polling',
  );
  return {
    bot,
    mode: 'polling',
    async stop() {
      await unsubscribe();
      await bot.stop();
      await polling;
    },
  };
}
