import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One access-log line per request, written when it is answered: `request completed` with the
 * method, path and client IP (`req`), the status (`res`), `responseTime` in ms and, when signed
 * in, `user_id`. Fastify's default writes a second line (`incoming request`) as each request
 * arrives; under load those lines were a tenth of what the server spent (bench/load.ts), and the
 * answered line says all they did. Failed requests keep Fastify's `request errored` line, stack
 * included.
 */
export class AccessLog extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'request_id' });
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) {
      super.requestCompleted(error, request, reply);
      return;
    }
    const userId = request.principal?.userId;
    reply.log.info(
      {
        req: request,
        res: reply,
        responseTime: reply.elapsedTime,
        ...(userId ? { user_id: userId } : {}),
      },
      'request completed',
    );
  }
}
