import { describe, expect, it } from 'vitest';
import { createSecretScrubber, passwordOf } from './scrub-secrets.js';

const botToken = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

describe('createSecretScrubber', () => {
  const scrub = createSecretScrubber([botToken, 'configured-webhook-secret', 'short', undefined]);

  it.each([
    [
      `GET https://api.telegram.org/bot${botToken}/getMe`,
      'GET https://api.telegram.org/bot[redacted]/getMe',
    ],
    [`/file/bot${botToken}/photos/1.jpg`, '/file/bot[redacted]/photos/1.jpg'],
    ['token 987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw leaked', 'token [redacted] leaked'],
    ['Authorization: Bearer abc.def-ghi', 'Authorization: Bearer [redacted]'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig', 'jwt [redacted]'],
    [
      'postgres://tickets:hunter22@db:5432/tickets',
      'postgres://tickets:[redacted]@db:5432/tickets',
    ],
    ['/auth?init_data=query_id%3DAA&x=1', '/auth?init_data=[redacted]&x=1'],
    ['the secret is configured-webhook-secret', 'the secret is [redacted]'],
    ['a short word stays', 'a short word stays'],
  ])('scrubs %j', (text, expected) => {
    expect(scrub(text)).toBe(expected);
  });

  it('drops the values of credential fields at any depth and keeps the rest', () => {
    const event = {
      message: 'failed',
      request: {
        headers: { Authorization: 'Bearer x', Cookie: 'a=b', 'user-agent': 'tests' },
        data: { init_data: 'user=…&hash=…', refresh_token: 'r', title: 'Printer' },
      },
      extra: { DATABASE_URL_PASSWORD: 'pw', list: [{ secret_key: 'k' }], count: 3 },
    };
    expect(scrub(event)).toEqual({
      message: 'failed',
      request: {
        headers: { Authorization: '[redacted]', Cookie: '[redacted]', 'user-agent': 'tests' },
        data: { init_data: '[redacted]', refresh_token: '[redacted]', title: 'Printer' },
      },
      extra: {
        DATABASE_URL_PASSWORD: '[redacted]',
        list: [{ secret_key: '[redacted]' }],
        count: 3,
      },
    });
  });

  it('finds the password of a connection URL', () => {
    expect(passwordOf('postgres://u:p%40ss@db/x')).toBe('p@ss');
    expect(passwordOf('redis://db:6379')).toBeUndefined();
    expect(passwordOf(undefined)).toBeUndefined();
  });
});
