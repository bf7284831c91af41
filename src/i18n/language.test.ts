import { describe, expect, it } from 'vitest';
import { languageOf } from './language.js';

describe('languageOf: the one rule for who reads which language', () => {
  it('speaks Russian to Russian speakers, whatever the region or case', () => {
    for (const code of ['ru', 'ru-RU', 'ru_UA', 'RU', ' ru '])
      expect(languageOf(code), code).toBe('ru');
  });

  it('speaks Russian, the home language, when no language is known', () => {
    for (const code of [null, undefined, '', '  '])
      expect(languageOf(code), String(code)).toBe('ru');
  });

  it('speaks English to everyone else, who read it better than Russian', () => {
    for (const code of ['en', 'en-GB', 'de', 'uk', 'pt-BR', 'zh-hans', 'rue']) {
      expect(languageOf(code), code).toBe('en');
    }
  });
});
