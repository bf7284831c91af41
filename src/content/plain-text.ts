import { Parser } from 'htmlparser2';
import { Invalid } from '../errors.js';
import { refuseIllFormed } from './well-formed.js';

/** Elements whose content is code or markup, never text a person wrote: dropped whole. */
const dropWithContent = new Set([
  'script',
  'style',
  'iframe',
  'object',
  'embed',
  'noscript',
  'template',
  'svg',
  'math',
  'head',
  'title',
  'textarea',
  'select',
]);

/** Elements that end a line of text when shown. */
const lineBreaking = new Set(['br', 'p', 'div', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

/** Every HTML element a pasted fragment may hold; their tags are removed, their text kept. */
const htmlElements = new Set([
  ...dropWithContent,
  ...lineBreaking,
  ...'a abbr address area article aside audio b base bdi bdo blockquote body button canvas caption cite code col colgroup data datalist dd del details dfn dialog dl dt em fieldset figcaption figure footer form header hgroup hr html i img input ins kbd label legend link main map mark menu meta meter nav ol optgroup option output param picture pre progress q rp rt ruby s samp search section slot small source span strong sub summary sup table tbody td tfoot th thead time track u ul var video wbr font center marquee blink frame frameset applet base basefont'.split(
    ' ',
  ),
]);

// Control characters, and the private-use character that stands in for a bare `<` below.
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ue000]/g;
const BARE_LT = '\ue000';

/**
 * What is left that still opens an active element once the parser has had its say (e.g.
 * `<scr<script>ipt>`): its `<` becomes `‹`, so no renderer that forgets to escape runs it.
 */
const ACTIVE_ELEMENT_OPENER =
  /<(?=\/?(?:script|style|iframe|object|embed|svg|math|img|link|meta|base|form|frame|frameset|applet|template|noscript)\b)/gi;

/**
 * Makes user-written content plain text that is safe wherever it is shown: HTML elements,
 * tags of any name that carry attributes (`<x onclick=…>`) and comments are removed (script-like
 * elements with their content), everything else (`a < b`, `<3`, `x<y>z`, `<foo>`, `</Enter>`,
 * entities as typed) stays exactly as written, so every renderer escapes it as text.
 * Line endings become `\n`, control characters go, and the result is trimmed. Text that is not
 * well-formed Unicode (a lone surrogate) is a 422 on `field` (`content/well-formed.ts`).
 */
export function toPlainText(input: string, field = 'text'): string {
  refuseIllFormed(input, field);
  let text = input.replaceAll('\r\n', '\n').replaceAll('\r', '\n').replace(CONTROL_CHARACTERS, '');
  // Removing one tag can join the halves of another (`<<b>script>`): repeat until nothing changes.
  for (let pass = 0; pass < 5 && text.includes('<'); pass += 1) {
    const next = stripTags(text);
    if (next === text) break;
    text = next;
  }
  return text
    .replace(ACTIVE_ELEMENT_OPENER, '‹')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * `<` starting what the parser would read as a tag: whether it closes one, the name it would
 * read, and the rest up to the next `>` (where attributes are).
 */
const TAG_START = /<(?=(\/?)([a-zA-Z][^\s/>]*)([^>]*))/g;

/**
 * Attributes with a value (`onclick=…`, `src="x"`), also right after a `/` (`<x/onload=…>`):
 * what makes any tag active, an unknown name (`<image src=x onerror=…>`, which browsers read
 * as `<img>`) included. A bare word list (`<Ctrl Alt Del>`) has none and stays text.
 */
const VALUED_ATTRIBUTE = /[\s/][^\s/=>]+\s*=/;

/** Names of the tags in `text` that carry a valued attribute: markup, whatever the name. */
function attributedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, closing, name = '', rest = ''] of text.matchAll(TAG_START)) {
    if (!closing && VALUED_ATTRIBUTE.test(rest)) names.add(name.toLowerCase());
  }
  return names;
}

function stripTags(input: string): string {
  // A `<` with no `>` after it cannot open a tag; the parser would swallow the rest as one.
  const lastGt = input.lastIndexOf('>');
  const closed = input.slice(0, lastGt + 1) + input.slice(lastGt + 1).replaceAll('<', BARE_LT);
  const attributed = attributedNames(closed);
  const source = closed.replace(TAG_START, (lt: string, _closing: string, name: string) => {
    // Real HTML elements and tags with attributes (and their closing tags) are markup;
    // `<foo>`, `x<y>z`, `List<String>` or `</Enter>` are text.
    const lower = name.toLowerCase();
    return htmlElements.has(lower) || attributed.has(lower) ? lt : BARE_LT;
  });
  let output = '';
  let dropDepth = 0;
  const parser = new Parser(
    {
      ontext(text) {
        if (dropDepth === 0) output += text;
      },
      onopentag(name) {
        if (dropWithContent.has(name)) dropDepth += 1;
        else if (dropDepth === 0 && name === 'br') output += '\n';
      },
      onclosetag(name, isImplied) {
        if (dropWithContent.has(name)) dropDepth = Math.max(0, dropDepth - 1);
        else if (dropDepth === 0 && !isImplied && lineBreaking.has(name) && name !== 'br') {
          output += '\n';
        }
      },
    },
    { decodeEntities: false, lowerCaseTags: true, recognizeSelfClosing: true },
  );
  parser.end(source);
  return output.replaceAll(BARE_LT, '<');
}

/** As `toPlainText`, for a required field: text that was only markup is a 422 on `field`. */
export function requiredPlainText(value: string, field: string): string {
  const text = toPlainText(value, field);
  if (!text) throw new Invalid('Some fields are invalid', [{ field, message: 'has no text' }]);
  return text;
}
