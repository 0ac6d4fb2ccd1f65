import { randomBytes } from 'node:crypto'

/**
 * The system's NATS users: one per service, with only what that service needs (nats-auth.conf), and the
 * operator (the projection commands, provisioning, tests acting as an operator, the `nats` CLI).
 */
export const natsUsers = ['command-service', 'projector', 'query-service', 'operator'] as const

export type NatsUser = (typeof natsUsers)[number]

/**
 * The environment variable that carries a user's password to nats-server (nats-auth.conf reads it as
 * `$JETNOTES_<USER>_NATS_PASSWORD`) and to `npm start`: JETNOTES_COMMAND_NATS_PASSWORD, ...
 */
export const passwordVariableOf = (user: NatsUser) =>
  `JETNOTES_${user.replace(/-service$/, '').toUpperCase()}_NATS_PASSWORD`

/**
 * What nats-server's configuration reads back from `$VARIABLE` as a string: a letter first (`12k` would
 * be a number, `true` a boolean), then letters, digits, `-` and `_`.
 */
export const natsPasswordPattern = /^[A-Za-z][A-Za-z0-9_-]{15,}$/

/** A strong random password (256 bits) in the form nats-auth.conf can read. */
export const generatePassword = () => `jn_${randomBytes(32).toString('base64url')}`

/** Each user's password, as the environment nats-server reads them from. */
export const passwordVariables = (passwords: Record<NatsUser, string>): Record<string, string> =>
  Object.fromEntries(natsUsers.map((user) => [passwordVariableOf(user), passwords[user]]))
