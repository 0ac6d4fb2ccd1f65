import { z } from 'zod'
import { Id } from '../ids.ts'
import { Email } from '../users/fields.ts'
import { Body, Permission, type Share, Tags, Title } from './fields.ts'

/** `POST /notes` */
export const CreateNoteBody = z.strictObject({ title: Title, body: Body, tags: Tags.default([]) })
export type CreateNoteBody = z.infer<typeof CreateNoteBody>

/** `PATCH /notes/:id`: any of the fields; at least one. */
export const EditNoteBody = z
  .strictObject({ title: Title.optional(), body: Body.optional(), tags: Tags.optional() })
  .refine((body) => body.title !== undefined || body.body !== undefined || body.tags !== undefined, {
    message: 'at least one of title, body or tags is required',
  })
export type EditNoteBody = z.infer<typeof EditNoteBody>

/** `POST /notes/:id/shares`: the sharee by id or by e-mail address (exactly one of the two). */
export const ShareNoteBody = z
  .strictObject({
    userId: Id.optional(),
    email: Email.optional().describe("The sharee's e-mail address, instead of their id"),
    permission: Permission,
  })
  .refine((body) => (body.userId === undefined) !== (body.email === undefined), {
    message: 'exactly one of userId or email is required',
  })
export type ShareNoteBody = z.infer<typeof ShareNoteBody>

type NoteCommandBase = {
  /** The authenticated user issuing the command. */
  actor: string
  /** The version the caller based the command on (If-Match), if it sent one. */
  expectedVersion?: number | undefined
}

export type CreateNote = NoteCommandBase & { type: 'CreateNote' } & CreateNoteBody
export type EditNote = NoteCommandBase & { type: 'EditNote'; changes: EditNoteBody }
export type ShareNote = NoteCommandBase & {
  type: 'ShareNote'
  share: Share
  /** Whether `share.userId` is an active user: looked up by the edge, which owns the user directory. */
  shareeIsActiveUser: boolean
}
export type UnshareNote = NoteCommandBase & { type: 'UnshareNote'; userId: string }
export type DeleteNote = NoteCommandBase & { type: 'DeleteNote' }

export type NoteCommand = CreateNote | EditNote | ShareNote | UnshareNote | DeleteNote
