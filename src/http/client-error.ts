import type { Socket } from 'node:net';
import { problem } from './problem.js';

const replies: Record<string, { status: number; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'The request took too long to arrive' },
  HPE_HEADER_OVERFLOW: { status: 431, detail: 'The request headers are too large' },
};
const unparseable = {
  status: 400,
  detail: 'The request could not be parsed: is every character of the URL percent-encoded?',
};

/**
 * Answers a request Node's HTTP parser refused (it never reaches Fastify's routes), such as a
 * URL with raw non-ASCII characters, with problem+json like every other error.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, detail } = replies[error.code ?? ''] ?? unparseable;
  const body = JSON.stringify(problem(status, detail));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${problem(status, detail).title}\r\n` +
        `Content-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
