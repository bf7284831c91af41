/**
 * How the fake Bot API answers `answerInlineQuery` like Telegram
 * (https://core.telegram.org/bots/api#answerinlinequery): only a query it delivered, answered
 * once; at most 50 results with unique ids of 1–64 bytes; each article with a title and a
 * message to send whose text Telegram takes.
 */

/** Telegram's refusals of an inline answer. */
export const inlineRefusals = {
  queryInvalid: 'Bad Request: query is too old and response timeout expired or query ID is invalid',
  tooMany: 'Bad Request: RESULTS_TOO_MUCH',
  idDuplicate: 'Bad Request: RESULT_ID_DUPLICATE',
  idInvalid: 'Bad Request: RESULT_ID_INVALID',
  typeInvalid: 'Bad Request: RESULT_TYPE_INVALID',
  titleEmpty: 'Bad Request: ARTICLE_TITLE_EMPTY',
  messageEmpty: 'Bad Request: MESSAGE_EMPTY',
  resultsInvalid: "Bad Request: can't parse inline query results JSON object",
} as const;

/** Result types the fake knows; Telegram has more, our bot sends articles only. */
const knownTypes = new Set(['article', 'photo', 'document', 'gif', 'video', 'audio', 'voice']);

/** The inline queries delivered to the bot, and which of them it answered. */
export function createInlineQueries(
  textProblem: (text: unknown, mode: unknown) => string | undefined,
) {
  const open = new Set<string>();

  /** Why Telegram refuses one result, or undefined. */
  function resultProblem(result: Record<string, unknown>): string | undefined {
    const id = result.id;
    if (typeof id !== 'string' || id.length === 0 || Buffer.byteLength(id) > 64) {
      return inlineRefusals.idInvalid;
    }
    if (typeof result.type !== 'string' || !knownTypes.has(result.type)) {
      return inlineRefusals.typeInvalid;
    }
    if (result.type !== 'article') return undefined;
    if (typeof result.title !== 'string' || result.title.trim() === '') {
      return inlineRefusals.titleEmpty;
    }
    const content = result.input_message_content as Record<string, unknown> | undefined;
    if (!content || typeof content !== 'object') return inlineRefusals.resultsInvalid;
    if (typeof content.message_text !== 'string' || content.message_text.trim() === '') {
      return inlineRefusals.messageEmpty;
    }
    return textProblem(content.message_text, content.parse_mode);
  }

  return {
    /** Notes an update that carries an inline query, which the bot may then answer once. */
    delivered(update: { inline_query?: { id?: unknown } }): void {
      if (typeof update.inline_query?.id === 'string') open.add(update.inline_query.id);
    },

    /** Why Telegram refuses this `answerInlineQuery`, or undefined (the query is then answered). */
    problem(params: Record<string, unknown>): string | undefined {
      const id = typeof params.inline_query_id === 'string' ? params.inline_query_id : '';
      if (!open.has(id)) return inlineRefusals.queryInvalid;
      const results = params.results;
      if (!Array.isArray(results)) return inlineRefusals.resultsInvalid;
      if (results.length > 50) return inlineRefusals.tooMany;
      const ids = results.map((result: { id?: unknown }) => result.id);
      if (new Set(ids).size !== ids.length) return inlineRefusals.idDuplicate;
      for (const result of results as Record<string, unknown>[]) {
        const problem = resultProblem(result);
        if (problem) return problem;
      }
      open.delete(id);
      return undefined;
    },
  };
}
