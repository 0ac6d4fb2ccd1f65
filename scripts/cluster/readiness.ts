import { setTimeout as sleep } from 'node:timers/promises'
import { metaBucket, metaKeys, projectionNames } from '@jetnotes/schemas'
import { jetstream } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'

/** Whether the HTTP service on this port answers /healthz within `timeoutMs` (false once `giveUp` says so). */
export const answersHealth = async (port: number, timeoutMs: number, giveUp: () => boolean) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && !giveUp()) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (response) => response.ok,
      () => false,
    )
    if (ok) return true
    await sleep(100)
  }
  return false
}

/**
 * Whether every projection has a live generation within `timeoutMs`: the projector has created its buckets,
 * which the query-services need before they can serve.
 */
export const projectionsLive = async (nc: NatsConnection, timeoutMs: number, giveUp: () => boolean) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && !giveUp()) {
    const live = await new Kvm(jetstream(nc))
      .open(metaBucket)
      .then(async (meta) => {
        const pointers = await Promise.all(projectionNames.map((name) => meta.get(metaKeys.active(name))))
        return pointers.every((entry) => entry?.operation === 'PUT')
      })
      .catch(() => false)
    if (live) return true
    await sleep(250)
  }
  return false
}
