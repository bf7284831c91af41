import { describe, expect, it } from 'vitest';
import { requiredPlainText, toPlainText } from './plain-text.js';

describe('toPlainText', () => {
  describe('HTML markup', () => {
    it('removes tags and keeps the text inside them', () => {
      expect(toPlainText('Hi <b>there</b>, <a href="https://example.com">see this</a>')).toBe(
        'Hi there, see this',
      );
    });

    it('removes script and style elements together with their content', () => {
      expect(toPlainText('<script>alert(1)</script>Hi <b>there</b>')).toBe('Hi there');
      expect(toPlainText('<style>p { color: red }</style>Styled')).toBe('Styled');
    });

    it('removes tags whatever their letter case', () => {
      expect(toPlainText('<ScRiPt>steal()</sCrIpT>ok <B>bold</B>')).toBe('ok bold');
    });

    it('removes comments', () => {
      expect(toPlainText('before<!-- hidden -->after')).toBe('beforeafter');
    });

    it('leaves no <script behind a nested trick', () => {
      const result = toPlainText('<<script>script>alert(1)<</script>/script>');
      expect(result.toLowerCase()).not.toContain('<script');
      expect(result).not.toContain('alert(1)');
    });

    it('keeps closing tags of names that are not HTML, like </Enter>', () => {
      expect(toPlainText('Press </Enter> now')).toBe('Press </Enter> now');
      expect(toPlainText('Map<K, V> and </K> here')).toBe('Map<K, V> and </K> here');
    });

    it('defuses an element name the parser reads as text, like <scr<script>ipt>', () => {
      const result = toPlainText('<scr<script>ipt>alert(1)</script> and <img src=x');
      expect(result.toLowerCase()).not.toMatch(/<\/?(script|img)/);
      expect(result).toContain('‹img src=x');
    });

    it('leaves no markup behind tags split by other tags', () => {
      const result = toPlainText('<<b>script>alert(1)<</b>/script>');
      expect(result.toLowerCase()).not.toContain('<script');
    });

    it('removes tags that carry attributes, whatever their name, keeping their text', () => {
      expect(toPlainText('see <image src=x onerror=alert(1)> this')).toBe('see  this');
      expect(toPlainText('<x onclick="steal()">click me</x> now')).toBe('click me now');
      expect(toPlainText("<Foo-Bar data-x='1' onmouseover=go()>hi</Foo-Bar>")).toBe('hi');
      expect(toPlainText('<x\tonfocus=alert(1) autofocus>')).toBe('');
    });

    it('leaves no event handler behind, however the tag is written', () => {
      for (const input of [
        '<image src=x onerror=alert(1)>',
        '<x onclick=alert(1)>a</x>',
        '<svg/onload=alert(1)>',
        '<x/onclick=alert(1)>',
        '<<x onclick=alert(1)>x onclick=alert(2)>',
      ]) {
        expect(toPlainText(input), input).not.toMatch(/<\/?[a-z]/i);
      }
    });

    it('answers an empty string for markup and nothing else', () => {
      expect(toPlainText('<p></p>')).toBe('');
      expect(toPlainText('<script>alert(1)</script>')).toBe('');
    });
  });

  describe('text that only looks like markup', () => {
    it.each([
      ['a spaced less-than', 'a < b'],
      ['a less-than between digits', '2<3'],
      ['a less-than before a word', 'x<y then'],
      ['a heart', 'I <3 it'],
      ['arrows', 'a <- b -> c'],
      ['generics', 'List<String> names'],
      ['an unknown tag', '<foo>bar</foo>'],
      ['an address in angle brackets', 'mail <user@example.com>'],
      ['letters between less-than and greater-than', 'x<y>z'],
      ['a word list in angle brackets', 'press <Ctrl Alt Del> now'],
      ['a comparison with an equals sign', 'if x <y = z> w'],
    ])('keeps %s as written', (_case, text) => {
      expect(toPlainText(text)).toBe(text);
    });

    it('keeps entities exactly as typed, without decoding them', () => {
      expect(toPlainText('&lt;b&gt; &amp; &nbsp; &#39;')).toBe('&lt;b&gt; &amp; &nbsp; &#39;');
    });

    it('keeps a lone < after the last tag', () => {
      expect(toPlainText('<b>bold</b> and 1 < 2')).toBe('bold and 1 < 2');
    });
  });

  describe('characters and lines', () => {
    it('removes control characters but keeps tabs and newlines', () => {
      expect(toPlainText('a\u0000b\u0007c\u001bd\u007fe\tf\ng')).toBe('abcde\tf\ng');
    });

    it('turns CRLF and lone CR into LF', () => {
      expect(toPlainText('one\r\ntwo\rthree')).toBe('one\ntwo\nthree');
    });

    it('turns <br> and the end of a paragraph into line breaks', () => {
      expect(toPlainText('<p>one</p><p>two</p>three<br>four<br/>five')).toBe(
        'one\ntwo\nthree\nfour\nfive',
      );
    });

    it('turns list items and blocks into lines', () => {
      expect(toPlainText('<ul><li>one</li><li>two</li></ul>')).toBe('one\ntwo');
      expect(toPlainText('<div>a</div><div>b</div>')).toBe('a\nb');
    });

    it('keeps at most one blank line in a row', () => {
      expect(toPlainText('a\n\n\n\n\nb')).toBe('a\n\nb');
    });

    it('trims the result', () => {
      expect(toPlainText('  \n  hello world \n\t ')).toBe('hello world');
      expect(toPlainText('<p>  spaced  </p>')).toBe('spaced');
    });

    it('refuses a lone surrogate with a 422 on the field, and keeps a whole emoji', () => {
      expect(() => requiredPlainText('half \ud83c', 'content')).toThrow(
        expect.objectContaining({
          status: 422,
          errors: [expect.objectContaining({ field: 'content' })],
        }),
      );
      expect(() => toPlainText('\udf84 tail', 'description')).toThrow(
        expect.objectContaining({ errors: [expect.objectContaining({ field: 'description' })] }),
      );
      expect(toPlainText('whole \ud83c\udf84')).toBe('whole 🎄');
    });

    it('leaves Cyrillic and emoji untouched', () => {
      expect(toPlainText('Привет, <b>мир</b>! Ёлка 🎄')).toBe('Привет, мир! Ёлка 🎄');
    });
  });
});
