import { describe, expect, it } from 'vitest'
import {
  ConflictError,
  decideUser,
  evolveUser,
  initialUserState,
  NotFoundError,
  type UserCommand,
  type UserEvent,
} from '../src/index.ts'
import { deciderSpec, type Given } from './decider-spec.ts'

const given = deciderSpec<ReturnType<typeof evolveUser>, UserCommand, UserEvent>(
  { decide: decideUser, evolve: evolveUser, initialState: initialUserState },
  'ann',
)
const hashA = 'a'.repeat(64)
const hashB = 'b'.repeat(64)
const registered: Given<UserEvent> = {
  type: 'UserRegistered',
  data: { name: 'Ann', email: 'ann@example.com', tokenHash: hashA },
  actor: 'ann',
}

describe('registering', () => {
  it('emits UserRegistered', () => {
    given()
      .when({ type: 'RegisterUser', name: 'Ann', email: 'ann@example.com', tokenHash: hashA })
      .thenEmits([
        { type: 'UserRegistered', data: { name: 'Ann', email: 'ann@example.com', tokenHash: hashA } },
      ])
  })
  it('refuses an id that is taken', () => {
    given(registered)
      .when({ type: 'RegisterUser', name: 'Ann', email: 'x@example.com', tokenHash: hashA })
      .thenFails(ConflictError, 409)
  })
})

describe('an active user', () => {
  it('can be renamed, and renaming to the same name emits nothing', () => {
    given(registered)
      .when({ type: 'RenameUser', name: 'Annie' })
      .thenEmits([{ type: 'UserRenamed', data: { name: 'Annie' } }])
    given(registered).when({ type: 'RenameUser', name: 'Ann' }).thenEmits([])
  })
  it('rotates the token', () => {
    given(registered)
      .when({ type: 'RotateToken', tokenHash: hashB })
      .thenEmits([{ type: 'UserTokenRotated', data: { tokenHash: hashB } }])
  })
  it('can be deactivated', () => {
    given(registered)
      .when({ type: 'DeactivateUser' })
      .thenEmits([{ type: 'UserDeactivated', data: {} }])
  })
})

describe('a deactivated user', () => {
  const deactivated: Given<UserEvent> = { type: 'UserDeactivated', data: {}, actor: 'ann' }
  it('cannot be changed any more', () => {
    given(registered, deactivated).when({ type: 'RenameUser', name: 'X' }).thenFails(NotFoundError, 404)
    given(registered, deactivated)
      .when({ type: 'RotateToken', tokenHash: hashB })
      .thenFails(NotFoundError, 404)
  })
  it('keeps name and e-mail but is inactive', () => {
    const { state } = given(
      registered,
      { type: 'UserTokenRotated', data: { tokenHash: hashB }, actor: 'ann' },
      deactivated,
    )
    expect(state).toMatchObject({
      name: 'Ann',
      email: 'ann@example.com',
      tokenHash: hashB,
      active: false,
      version: 3,
    })
  })
})

const credential = (n: number) => n.toString(16).padStart(32, 'c')
const session = (n: number) => n.toString(16).padStart(32, 'e')
const tokenHash = (n: number) => n.toString(16).padStart(64, 'f')
const signedIn = (n: number): Given<UserEvent> => ({
  type: 'UserSignedIn',
  data: { sessionId: session(n), tokenHash: tokenHash(n) },
  actor: 'ann',
})

describe('registering with a password', () => {
  it('emits UserRegistered and UserPasswordChanged, never a hash', () => {
    given()
      .when({
        type: 'RegisterUser',
        name: 'Ann',
        email: 'ann@example.com',
        tokenHash: hashA,
        credentialId: credential(1),
      })
      .thenEmits([
        { type: 'UserRegistered', data: { name: 'Ann', email: 'ann@example.com', tokenHash: hashA } },
        { type: 'UserPasswordChanged', data: { credentialId: credential(1) } },
      ])
  })
  it('leaves an account without a password with no credential and no sessions', () => {
    expect(given(registered).state).toMatchObject({ credentialId: null, sessions: [] })
  })
})

describe('sessions', () => {
  it('signing in emits UserSignedIn, and the session is kept', () => {
    given(registered)
      .when({ type: 'SignIn', sessionId: session(1), tokenHash: tokenHash(1) })
      .thenEmits([{ type: 'UserSignedIn', data: { sessionId: session(1), tokenHash: tokenHash(1) } }])
    expect(given(registered, signedIn(1)).state?.sessions).toEqual([
      { id: session(1), tokenHash: tokenHash(1) },
    ])
  })
  it('keeps at most ten: an eleventh sign-in ends the oldest', () => {
    const history = Array.from({ length: 11 }, (_, index) => signedIn(index + 1))
    const sessions = given(registered, ...history).state?.sessions ?? []
    expect(sessions.map((kept) => kept.id)).toEqual(
      Array.from({ length: 10 }, (_, index) => session(index + 2)),
    )
    expect(sessions).toHaveLength(10)
  })
  it('signing out ends that session only', () => {
    given(registered, signedIn(1), signedIn(2))
      .when({ type: 'SignOut', sessionId: session(1) })
      .thenEmits([{ type: 'UserSignedOut', data: { sessionId: session(1) } }])
    const { state } = given(registered, signedIn(1), signedIn(2), {
      type: 'UserSignedOut',
      data: { sessionId: session(1) },
      actor: 'ann',
    })
    expect(state?.sessions.map((kept) => kept.id)).toEqual([session(2)])
  })
  it('signing out of a session that has ended emits nothing', () => {
    given(registered, signedIn(1))
      .when({ type: 'SignOut', sessionId: session(9) })
      .thenEmits([])
  })
  it('a deactivated user cannot sign in', () => {
    given(registered, { type: 'UserDeactivated', data: {}, actor: 'ann' })
      .when({ type: 'SignIn', sessionId: session(1), tokenHash: tokenHash(1) })
      .thenFails(NotFoundError, 404)
  })
})

describe('changing the password', () => {
  it('ends every other session and keeps the one it was made from', () => {
    given(registered, signedIn(1), signedIn(2))
      .when({ type: 'ChangePassword', credentialId: credential(2), keptSessionId: session(2) })
      .thenEmits([
        { type: 'UserPasswordChanged', data: { credentialId: credential(2), keptSessionId: session(2) } },
      ])
    const { state } = given(registered, signedIn(1), signedIn(2), {
      type: 'UserPasswordChanged',
      data: { credentialId: credential(2), keptSessionId: session(2) },
      actor: 'ann',
    })
    expect(state).toMatchObject({ credentialId: credential(2), sessions: [{ id: session(2) }] })
  })
  it('made with the API token, ends every session', () => {
    const { state } = given(registered, signedIn(1), {
      type: 'UserPasswordChanged',
      data: { credentialId: credential(2) },
      actor: 'ann',
    })
    expect(state).toMatchObject({ credentialId: credential(2), sessions: [], tokenHash: hashA })
  })
  it('does not name a session to keep that has ended', () => {
    given(registered)
      .when({ type: 'ChangePassword', credentialId: credential(2), keptSessionId: session(7) })
      .thenEmits([{ type: 'UserPasswordChanged', data: { credentialId: credential(2) } }])
  })
})
