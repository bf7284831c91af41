import http from 'node:http';
import net from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { multipartBody, pdfBytes, pngBytes } from '../../test/multipart.js';
import { signInAs, type Person } from '../../test/people.js';
import unreadBody from './plugins/unread-body.js';

const MB = 1024 * 1024;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The client's port: the same for two requests on one connection. */
  clientPort: number | undefined;
}

/**
 * Clients pool connections (browsers, Telegram's webview, Node's keep-alive agent): a refused
 * upload must leave its connection either usable at once or closed by the server's word, never
 * stuck half-read.
 */
describe('a refused request body', () => {
  let t: TestApp;
  let port: number;
  let person: Person;

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '1000' } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as net.AddressInfo).port;
    person = await signInAs(t, 'user');
  });
  afterAll(() => t.close());

  /** One request through `agent`; fails after 5 s instead of waiting out a stuck connection. */
  function send(
    agent: http.Agent,
    options: http.RequestOptions,
    body?: Buffer | string,
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port, agent, signal: AbortSignal.timeout(5_000), ...options },
        (response) => {
          const clientPort = response.socket.localPort;
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: text,
              clientPort,
            }),
          );
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  /** Sends the refused request, then a plain one on the same pooled connection. */
  async function refusedThenNext(
    options: http.RequestOptions,
    body: Buffer | string,
  ): Promise<{ refused: Answer; next: Answer }> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const refused = await send(agent, options, body);
      const next = await send(agent, { method: 'GET', path: '/api/v1/config' });
      return { refused, next };
    } finally {
      agent.destroy();
    }
  }

  function expectProblem(answer: Answer, status: number) {
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ status });
  }

  function upload(files: Parameters<typeof multipartBody>[0]) {
    const { payload, headers } = multipartBody(files);
    return refusedThenNext(
      { method: 'POST', path: '/api/v1/attachments', headers: { ...headers, ...person.headers } },
      payload,
    );
  }

  it('keeps the connection usable after a 25 MB file is cut off with 413', async () => {
    const { refused, next } = await upload([{ name: 'big.pdf', bytes: pdfBytes(25 * MB) }]);
    expectProblem(refused, 413);
    expect(refused.headers.connection).toBe('keep-alive');
    expect(next.status).toBe(200);
    expect(next.clientPort).toBe(refused.clientPort);
  });

  it('keeps the connection usable after an 11 MB image is cut off with 413', async () => {
    const png = await pngBytes();
    const bigImage = Buffer.concat([png, Buffer.alloc(11 * MB - png.length)]);
    const { refused, next } = await upload([{ name: 'big.png', bytes: bigImage }]);
    expectProblem(refused, 413);
    expect(next.status).toBe(200);
    expect(next.clientPort).toBe(refused.clientPort);
  });

  it('keeps the connection usable after an upload refused before its body is read', async () => {
    const { payload, headers } = multipartBody([{ name: 'a.pdf', bytes: pdfBytes(3 * MB) }]);
    const { refused, next } = await refusedThenNext(
      { method: 'POST', path: '/api/v1/attachments', headers },
      payload,
    );
    expectProblem(refused, 401);
    expect(next.status).toBe(200);
    expect(next.clientPort).toBe(refused.clientPort);
  });

  it('keeps the connection usable after a JSON body over the limit, sized or chunked', async () => {
    const body = JSON.stringify({ refresh_token: 'x'.repeat(3 * MB) });
    for (const framing of [{ 'content-length': String(body.length) }, {}]) {
      const { refused, next } = await refusedThenNext(
        {
          method: 'POST',
          path: '/api/v1/auth/refresh',
          headers: { 'content-type': 'application/json', ...framing },
        },
        body,
      );
      expectProblem(refused, 413);
      expect(JSON.parse(refused.body)).toMatchObject({ detail: 'The body is too large' });
      expect(next.status).toBe(200);
    }
  });

  /**
   * Sends the head of a request declaring `length` bytes and a little of its body, and returns
   * what arrived by the time the server closed the connection (or after 3 s, if it did not).
   */
  function declareAndStall(head: string, length: number): Promise<string> {
    const socket = net.connect(port, '127.0.0.1');
    return new Promise<string>((resolve, reject) => {
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      setTimeout(() => resolve(`${data}\n(still open)`), 3_000);
      socket.on('error', reject);
      socket.write(`${head}Content-Length: ${length}\r\n\r\n--x\r\n`);
    }).finally(() => socket.destroy());
  }

  it('answers Connection: close to a body too large to read to its end, and a new connection works', async () => {
    const upload = await declareAndStall(
      'POST /api/v1/attachments HTTP/1.1\r\nHost: x\r\n' +
        'Content-Type: multipart/form-data; boundary=x\r\n',
      300 * MB,
    );
    expect(upload).toMatch(/^HTTP\/1\.1 401 /);
    expect(upload).toMatch(/\r\nconnection: close\r\n/i);
    expect(upload).not.toContain('still open');
    const json = await declareAndStall(
      'POST /api/v1/auth/refresh HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n',
      100 * MB,
    );
    expect(json).toMatch(/^HTTP\/1\.1 413 /);
    expect(json).toMatch(/\r\nconnection: close\r\n/i);
    expect(json).toContain('application/problem+json');
    const agent = new http.Agent({ keepAlive: true });
    try {
      expect((await send(agent, { method: 'GET', path: '/api/v1/config' })).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});

describe('the rest of a refused body', () => {
  it('may not take longer than the drain time-out to arrive', async () => {
    const app = Fastify();
    await app.register(unreadBody, { drainLimit: 1024, drainTimeoutMs: 100 });
    app.post('/refuse', { onRequest: async (_request, reply) => reply.code(403).send() }, () => '');
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as net.AddressInfo;
      const socket = net.connect(port, '127.0.0.1');
      const started = Date.now();
      const reply = await new Promise<string>((resolve) => {
        let data = '';
        socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
        socket.on('close', () => resolve(data));
        socket.write('POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nhalf');
      });
      expect(reply).toMatch(/^HTTP\/1\.1 403 .*keep-alive/s);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await app.close();
    }
  });
});
