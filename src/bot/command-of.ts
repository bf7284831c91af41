import type { Message } from 'grammy/types';

/** The command a message starts with (`/status@bot` → `status`), if it starts with one. */
export function commandOf(message: Message | undefined): string | undefined {
  const entity = message?.entities?.[0];
  if (!message?.text || entity?.type !== 'bot_command' || entity.offset !== 0) return undefined;
  return message.text.slice(1, entity.length).split('@')[0]?.toLowerCase();
}
