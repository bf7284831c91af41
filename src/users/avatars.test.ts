import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signIn, type TestApp } from '../../test/app.js';
import { startFakeBotApi, type FakeBotApi } from '../../test/fake-bot-api.js';
import { manualClock } from '../../test/manual-clock.js';
import { signInAs, type Person } from '../../test/people.js';
import type { UserDto } from './schemas.js';

let fake: FakeBotApi;
let t: TestApp;
const clock = manualClock('2026-05-10T08:00:00Z');
let nextTelegramId = 9_300_000;
let moderator: Person;

/** A photo of one colour, as Telegram would store it. */
const photo = (width: number, height: number, red = 200) =>
  sharp({ create: { width, height, channels: 3, background: { r: red, g: 40, b: 40 } } })
    .jpeg()
    .toBuffer();

const get = (url: string, who?: Person) =>
  t.app.inject({ method: 'GET', url, ...(who ? { headers: who.headers } : {}) });

/** The user as staff see them, once the avatar job has looked (their avatar_url, if any). */
async function userOnceLooked(id: string, before: string | null = null): Promise<UserDto> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const row = await t.container.users.getById(id);
    const fetched = row.avatarFetchedAt?.toISOString() ?? null;
    if (fetched !== null && fetched !== before) {
      return (await get(`/api/v1/users/${id}`, moderator)).json<UserDto>();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the avatar job did not run');
}

/** Signs a new Telegram user in (with `role`), giving the bot `sizes` of their photo first. */
async function newPerson(
  role: 'user' | 'agent',
  sizes: { bytes: Buffer; width: number; height: number }[],
  photoUrl?: string,
): Promise<Person & { telegramId: number }> {
  nextTelegramId += 1;
  fake.setProfilePhoto(nextTelegramId, sizes);
  const pair = await signIn(t, {
    id: nextTelegramId,
    first_name: 'Pic',
    ...(photoUrl ? { photo_url: photoUrl } : {}),
  });
  if (role !== 'user') await t.container.users.setRole(pair.user.id, role);
  return {
    id: pair.user.id,
    role,
    token: pair.access_token,
    headers: { authorization: `Bearer ${pair.access_token}` },
    telegramId: nextTelegramId,
  };
}

beforeAll(async () => {
  fake = await startFakeBotApi();
  t = await createTestApp({
    clock,
    startQueue: true,
    env: { TELEGRAM_API_ROOT: fake.url, RATE_LIMIT_MAX: '10000' },
  });
  moderator = await signInAs(t, 'moderator');
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

describe('avatars', () => {
  let agent: Person & { telegramId: number };
  let agentUser: UserDto;

  beforeAll(async () => {
    agent = await newPerson('agent', [
      { bytes: await photo(64, 64, 10), width: 64, height: 64 },
      { bytes: await photo(320, 240), width: 320, height: 240 },
      { bytes: await photo(640, 480, 90), width: 640, height: 480 },
    ]);
    agentUser = await userOnceLooked(agent.id);
  });

  it('fetches the bot’s view of the profile photo on sign-in and stores a 128 px WebP', async () => {
    const version = Math.floor(clock.now().getTime() / 1000);
    expect(agentUser.avatar_url).toBe(`/api/v1/users/${agent.id}/avatar?v=${version}`);
    const customer = await signInAs(t, 'user');
    const response = await get(agentUser.avatar_url ?? '', customer);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/webp');
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const image = sharp(response.rawPayload);
    expect(await image.metadata()).toMatchObject({ format: 'webp', width: 128, height: 128 });
    // The smallest size of at least 128 px was taken (the reddest of the three).
    const { dominant } = await image.stats();
    expect(dominant.r).toBeGreaterThan(150);
  });

  it('answers without long caching when the URL carries no or an old version', async () => {
    const bare = await get(`/api/v1/users/${agent.id}/avatar`, moderator);
    expect(bare.statusCode).toBe(200);
    expect(bare.headers['cache-control']).toBe('public, no-cache');
    const old = await get(`/api/v1/users/${agent.id}/avatar?v=1`, moderator);
    expect(old.headers['cache-control']).toBe('public, no-cache');
  });

  it('shows a customer’s avatar to staff and themself only, privately', async () => {
    const customer = await newPerson('user', [
      { bytes: await photo(200, 200), width: 200, height: 200 },
    ]);
    const { avatar_url: url } = await userOnceLooked(customer.id);
    expect(url).not.toBeNull();
    const asStaff = await get(url ?? '', moderator);
    expect(asStaff.statusCode).toBe(200);
    expect(asStaff.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect((await get(url ?? '', customer)).statusCode).toBe(200);
    const stranger = await signInAs(t, 'user');
    expect((await get(url ?? '', stranger)).statusCode).toBe(404);
    expect((await get(url ?? '')).statusCode).toBe(401);
  });

  it('falls back to the Mini App’s photo_url when the bot sees no photo', async () => {
    const url = fake.addUserpic(await photo(300, 300));
    const person = await newPerson('user', [], url);
    const user = await userOnceLooked(person.id);
    expect(user.avatar_url).not.toBeNull();
    const response = await get(user.avatar_url ?? '', person);
    expect(await sharp(response.rawPayload).metadata()).toMatchObject({ width: 128 });
  });

  it('never fetches a photo_url off Telegram, and has no avatar then (404)', async () => {
    const person = await newPerson('user', [], 'https://evil.example.com/x.jpg');
    const user = await userOnceLooked(person.id);
    expect(user.avatar_url).toBeNull();
    expect((await get(`/api/v1/users/${person.id}/avatar`, moderator)).statusCode).toBe(404);
  });

  it('looks again on a sign-in a day later, not sooner, and follows a removed photo', async () => {
    const person = await newPerson('agent', [
      { bytes: await photo(200, 200), width: 200, height: 200 },
    ]);
    const first = await userOnceLooked(person.id);
    const asked = () =>
      fake
        .sent('getUserProfilePhotos')
        .filter((call) => Number(call.params.user_id) === person.telegramId).length;
    expect(asked()).toBe(1);
    clock.advance(23 * 3_600_000);
    await signIn(t, { id: person.telegramId, first_name: 'Pic' });
    // A job would have been queued in the sign-in's transaction; give a worker time to take it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(asked()).toBe(1);
    clock.advance(2 * 3_600_000);
    // Access tokens last 15 minutes: staff sign in again after the day.
    moderator = await signInAs(t, 'moderator');
    fake.setProfilePhoto(person.telegramId, []);
    const before = (await t.container.users.getById(person.id)).avatarFetchedAt?.toISOString();
    await signIn(t, { id: person.telegramId, first_name: 'Pic' });
    const second = await userOnceLooked(person.id, before);
    expect(asked()).toBe(2);
    expect(first.avatar_url).not.toBeNull();
    expect(second.avatar_url).toBeNull();
    expect((await get(first.avatar_url ?? '', moderator)).statusCode).toBe(404);
  });

  it('answers 404 for an unknown user and 422 for a bad version or id', async () => {
    const missing = '01a20d14-0000-7000-8000-000000000000';
    expect((await get(`/api/v1/users/${missing}/avatar`, moderator)).statusCode).toBe(404);
    const badVersion = await get(`/api/v1/users/${agent.id}/avatar?v=soon`, moderator);
    expect(badVersion.statusCode).toBe(422);
    expect(badVersion.json().errors).toEqual([expect.objectContaining({ field: 'query.v' })]);
    expect((await get('/api/v1/users/nope/avatar', moderator)).statusCode).toBe(422);
  });
});
