import { aggregateIdOf, type UserRecord, userAggregate } from '@jetnotes/schemas'
import { defineProjection } from '../projection.ts'
import { evolveUserRecord } from './evolve.ts'

/** USERS -> `users`: each user's public name and whether the account is active. */
export const usersProjection = defineProjection({
  name: 'users',
  aggregate: userAggregate,
  reads: ({ subject }) => [{ readModel: 'users', key: aggregateIdOf(subject) }],
  apply: async (views, { seq, subject }, events) => {
    const userId = aggregateIdOf(subject)
    const record = await views.get<UserRecord>('users', userId)
    const next = evolveUserRecord(record, events, seq)
    if (next !== undefined && next !== record) views.set('users', userId, next)
  },
})
