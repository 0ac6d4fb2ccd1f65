import { type Logger, pino } from 'pino'

/** Query parameters whose values must never reach a log line (bearer tokens in SSE URLs). */
const secretParams = /([?&](?:access_token|token)=)[^&]*/gi

/** Removes secrets from a URL before it is logged. */
export const redactUrl = (url: string) => url.replace(secretParams, '$1[redacted]')

/** The one logger configuration: JSON lines, no credentials. */
export const createLogger = (service: string, level: string): Logger =>
  pino({
    level,
    base: { service },
    redact: { paths: ['req.headers.authorization', 'req.headers["idempotency-key"]'], censor: '[redacted]' },
    serializers: {
      req: (req: { method?: string; url?: string; id?: string }) => ({
        method: req.method,
        url: redactUrl(req.url ?? ''),
        id: req.id,
      }),
    },
  })
