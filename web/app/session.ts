import { ref } from 'vue'
import { api } from './api/client.ts'
import type { SessionUser } from './api/types.ts'

/** The signed-in person (`null`: signed out; `undefined`: not known yet). */
export const currentUser = ref<SessionUser | null | undefined>(undefined)

/** Asks the gateway who the session cookie belongs to. */
export const loadSession = async (): Promise<SessionUser | null> => {
  try {
    currentUser.value = (await api<{ user: SessionUser }>('GET', '/session')).body.user
  } catch {
    currentUser.value = null
  }
  return currentUser.value
}

export const signIn = async (email: string, password: string): Promise<SessionUser> => {
  const { user } = (await api<{ user: SessionUser }>('POST', '/session', { body: { email, password } })).body
  currentUser.value = user
  return user
}

export const signUp = async (name: string, email: string, password: string): Promise<SessionUser> => {
  const { user } = (await api<{ user: SessionUser }>('POST', '/users', { body: { name, email, password } }))
    .body
  currentUser.value = user
  return user
}

export const signOut = async (): Promise<void> => {
  await api('DELETE', '/session')
  currentUser.value = null
}
