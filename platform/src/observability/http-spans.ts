import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http'
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { FastifyInstance } from 'fastify'
import { isTracing, tracerOf } from './tracing.ts'

const tracer = tracerOf('http')

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void

/** The settings Fastify gives a server factory, the ones it would apply to a server it made itself. */
type FactoryOptions = {
  http?: ServerOptions
  keepAliveTimeout?: number
  requestTimeout?: number
  connectionTimeout?: number
  maxRequestsPerSocket?: number
}

/** Where the path ends and the query starts (as the router and `redactUrl` see it): the query stays out. */
const queryStart = /[?#;]/

/**
 * One request in its server span: a child of the caller's `traceparent`, if it sent one, active for everything
 * the request does, from Fastify's first log line to its last, in the handler and in the hooks. The request and
 * response streams are bound to it too: their events (the body arriving, the response finishing) would otherwise
 * run outside it, and so would whatever Fastify does next.
 */
const serveInSpan = (request: IncomingMessage, response: ServerResponse, listener: RequestListener) => {
  const parent = propagation.extract(ROOT_CONTEXT, request.headers)
  const method = request.method ?? 'HTTP'
  const span = tracer.startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': method,
        'url.path': (request.url ?? '').split(queryStart, 1)[0] ?? '',
      },
    },
    parent,
  )
  const active = trace.setSpan(parent, span)
  context.bind(active, request)
  context.bind(active, response)
  response.once('close', () => {
    span.setAttribute('http.response.status_code', response.statusCode)
    if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
    span.end()
  })
  context.with(active, () => listener(request, response))
}

/**
 * Fastify's server factory: the HTTP server it would make (with its timeouts), whose requests each run in a
 * server span while tracing is on (see `startTracing`); while it is off, requests go straight to Fastify.
 */
export const tracedServer = (listener: RequestListener, options: FactoryOptions): Server => {
  const server = createServer(options.http ?? {}, (request, response) =>
    isTracing() ? serveInSpan(request, response, listener) : listener(request, response),
  )
  if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout
  if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout
  if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout)
  if (options.maxRequestsPerSocket !== undefined && options.maxRequestsPerSocket > 0)
    server.maxRequestsPerSocket = options.maxRequestsPerSocket
  return server
}

/**
 * Names each request's server span after its route (`POST /notes`, `GET /notes/:id`: few names, whatever the
 * ids) and records its request id, the one its log lines and its events' correlation id carry.
 */
export const nameRequestSpans = (app: FastifyInstance) => {
  app.addHook('onRequest', async (request) => {
    const span = trace.getActiveSpan()
    if (span === undefined || !span.isRecording()) return
    const route = request.routeOptions.url
    if (route !== undefined) {
      span.updateName(`${request.method} ${route}`)
      span.setAttribute('http.route', route)
    }
    span.setAttribute('jetnotes.request_id', request.id)
  })
}
