/**
 * Escapes text for Telegram's HTML parse mode: only `<`, `>` and `&` are special there
 * (https://core.telegram.org/bots/api#html-style); quotes are escaped too, for attributes.
 */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
