/**
 * A kind of refusal a service raises (`errors.ts`), as the bot words it: by status, and by code
 * where a code says more than its status.
 */
export type RefusalKind =
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'invalid'
  | 'too_large'
  | 'unsupported_type'
  | 'unavailable'
  | 'ticket_closed'
  | 'own_role'
  | 'last_owner';

/**
 * The words for a service's refusal whatever the user was doing, when what they were doing
 * has no words of its own (`bot/refusals.ts`). Plain text, safe in HTML.
 */
export type RefusalTexts = Record<RefusalKind, string>;

const ru: RefusalTexts = {
  forbidden: 'У вас нет прав на это действие.',
  not_found: 'Не найдено — возможно, это уже удалили.',
  conflict: 'Не получилось: за это время что-то изменилось. Попробуйте ещё раз.',
  invalid: 'Не принято: проверьте, что вы отправили.',
  too_large: 'Файл слишком большой.',
  unsupported_type: 'Такой тип файла не принимается.',
  unavailable: 'Сейчас это не получается. Попробуйте ещё раз чуть позже.',
  ticket_closed: 'Обращение закрыто: сначала откройте его снова.',
  own_role: 'Свою роль изменить нельзя.',
  last_owner: 'Это последний владелец. Сначала назначьте другого владельца.',
};

const en: RefusalTexts = {
  forbidden: 'You are not allowed to do that.',
  not_found: 'Not found — it may have been deleted.',
  conflict: 'That did not work: something changed meanwhile. Please try again.',
  invalid: 'Not accepted: please check what you sent.',
  too_large: 'The file is too large.',
  unsupported_type: 'This type of file is not accepted.',
  unavailable: 'That cannot be done right now. Please try again a little later.',
  ticket_closed: 'The ticket is closed: reopen it first.',
  own_role: 'You cannot change your own role.',
  last_owner: 'This is the last owner. Make someone else owner first.',
};

/** The refusal words in each of the bot's languages. */
export const refusalTexts = { ru, en };
