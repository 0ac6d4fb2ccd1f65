import type { NatsUser } from '@jetnotes/platform'
import { services } from '../start/services.ts'

/** One service process of `npm run cluster`: which service, its name in the output, its port (HTTP services). */
export type Instance = {
  name: string
  entry: string
  natsUser: NatsUser
  /** Its HTTP port, and the variable the service reads it from; none for a projector with its port off. */
  http?: { variable: 'COMMAND_PORT' | 'QUERY_PORT' | 'PROJECTOR_PORT'; port: number }
}

/**
 * The service processes of the cluster, in start-up order: two command-services and two query-services, each
 * on its own port (consecutive from the base ports), and `projectors` projectors, each on its own port for its
 * metrics and health (consecutive from `ports.projector`; 0: none).
 */
export const clusterInstances = (
  ports: { command: number; query: number; projector: number },
  projectors: number,
): Instance[] =>
  services.flatMap((service): Instance[] => {
    const count = service.natsUser === 'projector' ? projectors : 2
    return Array.from({ length: count }, (_, index) => {
      const name = `${service.name}-${index + 1}`
      const { entry, natsUser } = service
      if (natsUser === 'command-service')
        return { name, entry, natsUser, http: { variable: 'COMMAND_PORT', port: ports.command + index } }
      if (natsUser === 'query-service')
        return { name, entry, natsUser, http: { variable: 'QUERY_PORT', port: ports.query + index } }
      if (ports.projector === 0) return { name, entry, natsUser }
      return { name, entry, natsUser, http: { variable: 'PROJECTOR_PORT', port: ports.projector + index } }
    })
  })
