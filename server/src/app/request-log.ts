import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/** Query parameters that carry a secret (the WebSocket's `?token=`): never written to a log. */
const SECRET_PARAMS = /([?&](?:token)=)[^&#]*/gi;

/**
 * One log line per request, written when the answer has gone out: method, URL (secrets
 * masked), status and time, with the request id every line of that request carries (`reqId`).
 * Fastify's default writes two ("incoming request", "request completed"), doubling the volume
 * for no information a single line lacks.
 */
export class OneLineRequestLog extends LogController {
  override incomingRequest() {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    const line = {
      method: request.method,
      url: request.url.replace(SECRET_PARAMS, '$1…'),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request');
  }
}
