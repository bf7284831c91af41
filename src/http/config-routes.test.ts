import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';

describe('GET /api/v1/config', () => {
  let test: TestApp | undefined;
  afterEach(async () => {
    await test?.close();
    test = undefined;
  });

  it('tells a signed-out client that demo mode is off when a bot token is set', async () => {
    test = await createTestApp();
    const response = await test.app.inject({ method: 'GET', url: '/api/v1/config' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ demo_mode: false });
  });

  it('tells it demo mode is on without a bot token', async () => {
    test = await createTestApp({ env: { TELEGRAM_BOT_TOKEN: '' } });
    const response = await test.app.inject({ method: 'GET', url: '/api/v1/config' });
    expect(response.json()).toEqual({ demo_mode: true });
  });
});
