import { describe, expect, it } from 'vitest';
import { contentDisposition, sanitizeFileName, servedInline, textTypeOf } from './file-types.js';
import { parseRange } from './serve-file.js';

describe('sanitizeFileName', () => {
  it('drops directories of either kind, control and bidi characters, and leading dots', () => {
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('C:\\Windows\\evil.exe')).toBe('evil.exe');
    expect(sanitizeFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(sanitizeFileName('a\r\nb\u0000.txt')).toBe('ab.txt');
    expect(sanitizeFileName('...hidden')).toBe('hidden');
    expect(sanitizeFileName('what?<is>"this".pdf')).toBe('what__is__this_.pdf');
  });

  it('keeps Unicode letters and falls back when nothing is left', () => {
    expect(sanitizeFileName('Счёт №5 — 日本.pdf')).toBe('Счёт №5 — 日本.pdf');
    expect(sanitizeFileName('')).toBe('file');
    expect(sanitizeFileName(undefined)).toBe('file');
    expect(sanitizeFileName('/../')).toBe('file');
  });

  it('caps long names at 150 characters and keeps the extension', () => {
    const name = sanitizeFileName(`${'я'.repeat(400)}.docx`);
    expect([...name]).toHaveLength(150);
    expect(name.endsWith('я.docx')).toBe(true);
    expect([...sanitizeFileName('x'.repeat(400))]).toHaveLength(150);
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the exact name in filename*', () => {
    expect(contentDisposition('attachment', 'a "b" ü.pdf')).toBe(
      `attachment; filename="a _b_ _.pdf"; filename*=UTF-8''a%20%22b%22%20%C3%BC.pdf`,
    );
    expect(contentDisposition('inline', "it's (1).png")).toBe(
      `inline; filename="it's (1).png"; filename*=UTF-8''it%27s%20%281%29.png`,
    );
  });
});

describe('what is served inline', () => {
  it('is raster images only', () => {
    expect(servedInline('image/png')).toBe(true);
    expect(servedInline('application/pdf')).toBe(false);
    expect(servedInline('text/plain')).toBe(false);
    expect(servedInline('image/heic')).toBe(false);
  });

  it('types text by name only for .txt and .csv', () => {
    expect(textTypeOf('A.TXT')).toBe('text/plain');
    expect(textTypeOf('b.csv')).toBe('text/csv');
    expect(textTypeOf('c.html')).toBeUndefined();
  });
});

describe('parseRange', () => {
  it('reads the three forms of a single range', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=50-5000', 100)).toEqual({ start: 50, end: 99 });
  });

  it('sends everything for no header, other units or several ranges', () => {
    expect(parseRange(undefined, 100)).toBeUndefined();
    expect(parseRange('items=0-1', 100)).toBeUndefined();
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined();
  });

  it('refuses ranges outside the file', () => {
    for (const header of ['bytes=100-', 'bytes=5-2', 'bytes=-', 'bytes=-0', 'bytes=x-1']) {
      expect(() => parseRange(header, 100), header).toThrow(/outside/);
    }
    expect(() => parseRange('bytes=-1', 0)).toThrow(/outside/);
  });
});
