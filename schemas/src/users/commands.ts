import { z } from 'zod'
import { Email, UserName } from './fields.ts'

/** `POST /users` */
export const RegisterUserBody = z.strictObject({ name: UserName, email: Email })
export type RegisterUserBody = z.infer<typeof RegisterUserBody>

/** `PATCH /users/me` */
export const RenameUserBody = z.strictObject({ name: UserName })
export type RenameUserBody = z.infer<typeof RenameUserBody>

export type RegisterUser = { type: 'RegisterUser'; name: string; email: string; tokenHash: string }
export type RenameUser = { type: 'RenameUser'; name: string }
export type RotateToken = { type: 'RotateToken'; tokenHash: string }
export type DeactivateUser = { type: 'DeactivateUser' }

export type UserCommand = RegisterUser | RenameUser | RotateToken | DeactivateUser
