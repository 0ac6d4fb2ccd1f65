/** A signed-in device: its token works like the API token until it is signed out. */
export type Session = { id: string; tokenHash: string }

/** Everything the log says about one user. */
export type User = {
  id: string
  name: string
  email: string
  /** SHA-256 (hex) of the current bearer token's secret. */
  tokenHash: string
  /** The current password's credential (its hash is in the `credentials` bucket), or `null`: none set. */
  credentialId: string | null
  /** Signed-in sessions, oldest first (at most `maxSessions`). */
  sessions: Session[]
  active: boolean
  version: number
  registeredAt: string
}

/** A user aggregate before its first event is `null`. */
export type UserState = User | null

export const initialUserState: UserState = null
