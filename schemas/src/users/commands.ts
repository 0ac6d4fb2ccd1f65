import { z } from 'zod'
import { Email, Password, UserName } from './fields.ts'

/** `POST /users` */
export const RegisterUserBody = z.strictObject({
  name: UserName,
  email: Email,
  password: Password.optional().describe('8-200 characters: lets the user sign in with POST /sessions'),
})
export type RegisterUserBody = z.infer<typeof RegisterUserBody>

/** `PATCH /users/me` */
export const RenameUserBody = z.strictObject({ name: UserName })
export type RenameUserBody = z.infer<typeof RenameUserBody>

/** `POST /sessions` */
export const SignInBody = z.strictObject({ email: z.string().max(254), password: z.string().max(200) })
export type SignInBody = z.infer<typeof SignInBody>

/** `PUT /users/me/password` */
export const ChangePasswordBody = z.strictObject({
  currentPassword: z.string().max(200).optional().describe('Required when the account has a password'),
  password: Password,
})
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>

export type RegisterUser = {
  type: 'RegisterUser'
  name: string
  email: string
  tokenHash: string
  /** The credential of the password given at registration, if any (its hash is stored before the append). */
  credentialId?: string
}
export type RenameUser = { type: 'RenameUser'; name: string }
export type RotateToken = { type: 'RotateToken'; tokenHash: string }
export type DeactivateUser = { type: 'DeactivateUser' }

export type ChangePassword = { type: 'ChangePassword'; credentialId: string; keptSessionId?: string }
export type SignIn = { type: 'SignIn'; sessionId: string; tokenHash: string }
export type SignOut = { type: 'SignOut'; sessionId: string }

export type UserCommand =
  | RegisterUser
  | RenameUser
  | RotateToken
  | DeactivateUser
  | ChangePassword
  | SignIn
  | SignOut
