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
