import { Invalid } from '../errors.js';

/**
 * A lone UTF-16 surrogate: in a `u` regular expression a well-formed pair is one code point,
 * so only halves without their partner match `\p{Cs}`.
 */
const LONE_SURROGATE = /\p{Cs}/u;

/** What the 422 says about the field. */
const problem = 'is not well-formed Unicode: it holds a lone surrogate (half of a character)';

/**
 * The path (`translations.en.name`, `items.0`) of the first string or key in a parsed JSON
 * value that holds a lone surrogate; undefined when all text is well-formed.
 */
export function illFormedField(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path || 'body' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (LONE_SURROGATE.test(key)) return path || 'body';
    const found = illFormedField(item, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The text rule (docs/architecture.md, "Plain text"): text must be well-formed Unicode. A lone
 * surrogate is a client's bug (a string cut between the halves of an emoji); it is refused with
 * a 422 naming the field instead of being stored as `�` or breaking the audit log's JSON.
 */
export function refuseIllFormed(value: unknown, path = ''): void {
  const field = illFormedField(value, path);
  if (field !== undefined) {
    throw new Invalid('Some fields are invalid', [{ field, message: problem }]);
  }
}
