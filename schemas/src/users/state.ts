/** Everything the log says about one user. */
export type User = {
  id: string
  name: string
  email: string
  /** SHA-256 (hex) of the current bearer token's secret. */
  tokenHash: string
  active: boolean
  version: number
  registeredAt: string
}

/** A user aggregate before its first event is `null`. */
export type UserState = User | null

export const initialUserState: UserState = null
