import type { Api } from 'grammy';

/** What the worker and the tickets service need to know of the bot itself (`getMe`). */
export interface BotProfile {
  /**
   * Whether the bot has topics in its private chats (`getMe().has_topics_enabled`, Bot API 9.3;
   * switched on in @BotFather): read once through the Api and kept until the process restarts.
   * A failed read is not kept: the next call asks again.
   */
  topicsEnabled(): Promise<boolean>;
  /** The answer of the last successful read, without asking: undefined until one succeeded. */
  known(): boolean | undefined;
}

/** The bot's profile read through `api`, once per process (a restart reads it again). */
export function createBotProfile(api: Pick<Api, 'getMe'>): BotProfile {
  let reading: Promise<boolean> | undefined;
  let answer: boolean | undefined;
  return {
    known: () => answer,
    topicsEnabled() {
      reading ??= api.getMe().then(
        (me) => {
          answer = me.has_topics_enabled === true;
          return answer;
        },
        (error: unknown) => {
          reading = undefined;
          throw error;
        },
      );
      return reading;
    },
  };
}
