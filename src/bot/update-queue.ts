/**
 * The queue the webhook route puts Telegram's updates on; the bot role handles them. A module
 * of its own, so the API role's webhook route loads no bot feature.
 */
export const botUpdateQueue = 'bot.update';
