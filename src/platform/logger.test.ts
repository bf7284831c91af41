import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, createPrettyLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('the logger', () => {
  it('redacts tokens, init data and secrets wherever they appear', () => {
    const { lines, stream } = capture();
    const logger = createLogger('info', stream);
    logger.info(
      {
        init_data: 'user=...&hash=abc',
        body: { refresh_token: 'r-secret', access_token: 'a-secret', token: 't-secret' },
        req: {
          method: 'GET',
          url: '/api/v1/ws?token=abc',
          headers: { authorization: 'Bearer xyz' },
        },
      },
      'hello',
    );
    const line = lines.join('');
    for (const secret of ['abc', 'r-secret', 'a-secret', 't-secret', 'xyz']) {
      expect(line).not.toContain(secret);
    }
    const entry = JSON.parse(line) as { msg: string; req: { url: string } };
    expect(entry.msg).toBe('hello');
    expect(entry.req.url).toBe('/api/v1/ws');
  });
});

describe('the terminal logger', () => {
  it('writes readable lines and still redacts secrets', async () => {
    const { lines, stream } = capture();
    const logger = await createPrettyLogger('info', stream);
    logger?.info({ refresh_token: 'r-secret', queue: 'mail' }, 'job queued');
    const output = lines.join('');
    expect(output).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: job queued/);
    expect(output).toContain('"queue":"mail"');
    expect(output).not.toContain('r-secret');
  });
});
