const redacted = '[redacted]';

/** Fields whose values are never sent, whatever they hold (headers, form fields, settings). */
const secretKey =
  /^(authorization|proxy-authorization|cookie|set-cookie|init_?data|x-telegram-bot-api-secret-token)$|token|secret|password|passwd|api_?key/i;

/** Secrets recognised by their shape, wherever they appear in a text. */
const secretShapes: readonly [RegExp, string][] = [
  // Bot API URLs carry the token: https://api.telegram.org/bot<token>/method and /file/bot<token>/.
  [/\/bot\d+:[\w-]+/g, `/bot${redacted}`],
  // A bot token on its own.
  [/\b\d{5,}:[\w-]{30,}/g, redacted],
  [/\bBearer\s+[\w.~+/-]+=*/gi, `Bearer ${redacted}`],
  // JWTs (access tokens) and the password of a connection string (postgres://user:pw@host).
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, redacted],
  [/(\b[a-z][\w+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, `$1${redacted}@`],
  // Query parameters that are credentials.
  [/\b(init_?data|[\w-]*token|[\w-]*secret|password)=[^&\s"']+/gi, `$1=${redacted}`],
];

/**
 * A function that returns a copy of a JSON-like value (an error event, a breadcrumb) without
 * secrets: the values of credential-named fields, anything shaped like a token, a JWT, a
 * Bearer header or a URL password, and each of `secrets` verbatim (the configured ones).
 */
export function createSecretScrubber(secrets: readonly (string | undefined)[]) {
  // Short values would match ordinary text; every configured secret is far longer.
  const known = secrets
    .filter((secret): secret is string => secret !== undefined && secret.length >= 8)
    .toSorted((a, b) => b.length - a.length);

  function scrubText(text: string): string {
    let result = text;
    for (const secret of known) result = result.replaceAll(secret, redacted);
    for (const [shape, replacement] of secretShapes) result = result.replace(shape, replacement);
    return result;
  }

  function scrub(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return scrubText(value);
    if (value === null || typeof value !== 'object' || depth > 20) return value;
    if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        secretKey.test(key) && item !== undefined && item !== null
          ? redacted
          : scrub(item, depth + 1),
      ]),
    );
  }

  return <T>(value: T): T => scrub(value, 0) as T;
}

/** The password of a connection URL (`postgres://user:password@host`), if it has one. */
export function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}
