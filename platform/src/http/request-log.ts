import { type FastifyReply, type FastifyRequest, LogController } from 'fastify'

/**
 * One log line per request at info, not two: Fastify logs "incoming request" and "request completed" for every
 * request, which at `LOG_LEVEL=info` was 7% of the command-service's CPU (pino, redaction, the write). The
 * completed line names the request too (its method, redacted URL and id, through the `req` serializer), so it
 * says all the first did; "incoming request" is still logged at debug, to see a request that never completes.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return
    request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return
    const line = { req: request, res: reply, responseTime: reply.elapsedTime }
    if (error) reply.log.error({ ...line, err: error }, 'request errored')
    else reply.log.info(line, 'request completed')
  }
}
