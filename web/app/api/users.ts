import { reactive } from 'vue'
import { api } from './client.ts'

/** Names of users by id, fetched once each (`GET /api/users/:id`); shown for owners and shares. */
const names = reactive(new Map<string, string>())
const asked = new Set<string>()

/** The user's name when known (fetching it if not yet asked), else the id itself. */
export const userName = (id: string): string => {
  if (!asked.has(id)) {
    asked.add(id)
    api<{ id: string; name: string }>('GET', `/users/${encodeURIComponent(id)}`)
      .then(({ body }) => names.set(id, body.name))
      .catch(() => asked.delete(id))
  }
  return names.get(id) ?? id
}
