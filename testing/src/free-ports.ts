import { createServer } from 'node:net'

/**
 * Ports free on 127.0.0.1 right now (the OS picks them), for processes that must listen on a known port. Held
 * together so they differ; another process could take one before it is bound, which fails that start loudly.
 */
export const freePorts = async (count: number): Promise<number[]> => {
  const servers = Array.from({ length: count }, () => createServer())
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject)
            server.listen(0, '127.0.0.1', () => {
              const address = server.address()
              if (address === null || typeof address === 'string') reject(new Error('no port'))
              else resolve(address.port)
            })
          }),
      ),
    )
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  }
}

/** One port free on 127.0.0.1 right now. */
export const freePort = async (): Promise<number> => {
  const [port] = await freePorts(1)
  if (port === undefined) throw new Error('no port')
  return port
}
