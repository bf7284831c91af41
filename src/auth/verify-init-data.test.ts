import { describe, expect, it } from 'vitest';
import { signInitData, testBotToken } from '../../test/init-data.js';
import { DomainError } from '../errors.js';
import { verifyInitData } from './verify-init-data.js';

const now = new Date('2026-11-24T12:00:00Z');
const options = { maxAgeSeconds: 86_400, now };
const alice = { id: 4242, first_name: 'Alice', username: 'alice', language_code: 'ru' };

function rejection(initData: string, token = testBotToken): DomainError {
  try {
    verifyInitData(initData, token, options);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('init data was accepted');
}

describe('verifyInitData', () => {
  it('accepts launch data signed with the bot token and returns the Telegram user', () => {
    const initData = signInitData(alice, { authDate: now, extra: { start_param: 'ticket_12' } });
    const verified = verifyInitData(initData, testBotToken, options);
    expect(verified.user).toMatchObject({ id: 4242, first_name: 'Alice', username: 'alice' });
    expect(verified.startParam).toBe('ticket_12');
    expect(verified.authDate).toEqual(now);
  });

  it('includes every field but hash, such as signature, in the checked string', () => {
    const initData = signInitData(alice, { authDate: now, extra: { signature: 'abc' } });
    expect(verifyInitData(initData, testBotToken, options).user.id).toBe(4242);
    const tampered = initData.replace('signature=abc', 'signature=abd');
    expect(rejection(tampered).status).toBe(401);
  });

  it('refuses a tampered user field', () => {
    const initData = signInitData(alice, { authDate: now });
    const tampered = initData.replace(
      encodeURIComponent('"Alice"'),
      encodeURIComponent('"Mallory"'),
    );
    expect(tampered).not.toBe(initData);
    const error = rejection(tampered);
    expect(error.status).toBe(401);
    expect(error.code).toBe('init_data_invalid');
  });

  it('refuses data signed with another bot’s token', () => {
    const foreign = signInitData(alice, {
      authDate: now,
      botToken: '987654:ANOTHER-bots-token-xxxxxxxxxx',
    });
    expect(rejection(foreign).status).toBe(401);
  });

  it('refuses an auth_date older than the allowed age', () => {
    const stale = signInitData(alice, { authDate: new Date(now.getTime() - 86_401_000) });
    expect(rejection(stale).code).toBe('init_data_expired');
  });

  it('refuses an auth_date in the future beyond a small clock skew', () => {
    const future = signInitData(alice, { authDate: new Date(now.getTime() + 5 * 60_000) });
    expect(rejection(future).status).toBe(401);
    const slightlyAhead = signInitData(alice, { authDate: new Date(now.getTime() + 30_000) });
    expect(verifyInitData(slightlyAhead, testBotToken, options).user.id).toBe(4242);
  });

  it('refuses data without a hash, or with a hash that is not hex', () => {
    const initData = signInitData(alice, { authDate: now });
    const params = new URLSearchParams(initData);
    params.delete('hash');
    expect(rejection(params.toString()).status).toBe(401);
    params.set('hash', 'z'.repeat(64));
    expect(rejection(params.toString()).status).toBe(401);
    expect(rejection('').status).toBe(401);
    expect(rejection('garbage%%%&&&=').status).toBe(401);
  });

  it('refuses signed data without a usable auth_date or user', () => {
    const sign = (fields: Record<string, string>) => {
      const signed = new URLSearchParams(signInitData(alice, { authDate: now, extra: fields }));
      return signed.toString();
    };
    expect(rejection(sign({ auth_date: 'yesterday' })).status).toBe(401);
    expect(rejection(sign({ user: 'not json' })).status).toBe(401);
    expect(rejection(sign({ user: JSON.stringify({ id: 'x' }) })).status).toBe(401);
  });
});
