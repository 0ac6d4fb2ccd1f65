import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { buildGatewayApp, type GatewayOptions } from './app.ts'

/** The built app, where `npm run build -w web` writes it. */
export const defaultAppDir = fileURLToPath(new URL('../dist', import.meta.url))

export type StartGatewayOptions = Omit<GatewayOptions, 'appDir' | 'logger'> &
  Partial<Pick<GatewayOptions, 'appDir' | 'logger'>> & {
    host?: string
    /** 0 (the default): a free port. */
    port?: number
  }

/** Builds the gateway and listens; `url` is where it answers. `await using` (or `close()`) stops it. */
export const startGateway = async (options: StartGatewayOptions) => {
  const { host = '127.0.0.1', port = 0, ...rest } = options
  const app = await buildGatewayApp({
    ...rest,
    appDir: options.appDir ?? defaultAppDir,
    logger: options.logger ?? pino({ level: 'silent' }),
  })
  await app.listen({ host, port })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('the gateway has no TCP address')
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    app,
    url: `http://${shownHost}:${address.port}`,
    close: () => app.close(),
    async [Symbol.asyncDispose]() {
      await app.close()
    },
  }
}

export type RunningGateway = Awaited<ReturnType<typeof startGateway>>
