import { randomUUID } from 'node:crypto'
import {
  authenticate,
  callerOf,
  etagOf,
  type HttpApp,
  problemResponses,
  UserNotFoundError,
} from '@jetnotes/platform'
import {
  CreateNoteBody,
  EditNoteBody,
  Id,
  type NoteCommand,
  type NoteState,
  NoteView,
  noteAggregate,
  ShareNoteBody,
  toNoteView,
} from '@jetnotes/schemas'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { NoteCommandHeaders } from '../commands/command-headers.ts'
import { type CommandResponse, executeCommand } from '../commands/execute-command.ts'
import { expectedVersionOf } from '../commands/if-match.ts'
import { sendResponse } from '../commands/send-response.ts'
import type { CommandContext } from '../context.ts'

const NoteParams = z.object({ id: Id })
const ShareParams = z.object({ id: Id, userId: Id })
const security = [{ bearer: [] }]
const tags = ['notes']

/** The note commands: create, edit, share, unshare, delete. */
export const noteRoutes = (app: HttpApp, context: CommandContext) => {
  const { directory, idempotency, emailClaims } = context
  const onlyUsers = authenticate(directory)

  /** The id of the user a share names, by id or by e-mail address (which must belong to an active account). */
  const shareeIdOf = async ({ userId, email }: ShareNoteBody): Promise<string> => {
    if (userId !== undefined) return userId
    const holder = email === undefined ? undefined : await emailClaims.holderOf(email)
    const sharee = holder === undefined ? null : (await directory.load(holder)).state
    if (sharee === null || !sharee.active) throw new UserNotFoundError()
    return sharee.id
  }

  /** Runs a note command under the caller's idempotency scope and answers with `respond(stateAfter)`. */
  const run = (
    request: FastifyRequest,
    noteId: string,
    command: NoteCommand,
    respond: (state: NoteState) => CommandResponse,
  ) => {
    const caller = callerOf(request)
    return idempotency.run(request, caller.id, ({ msgId, beforeAppend }) =>
      executeCommand(context, noteAggregate, context.notes, command, {
        id: noteId,
        msgId,
        beforeAppend,
        // A note is created under an id generated for it (POST /notes): it has no log to read.
        newAggregate: command.type === 'CreateNote',
        metadata: { actor: caller.id, time: new Date().toISOString(), correlationId: request.id },
        respond,
      }),
    )
  }
  const noteResponse = (status: number) => (state: NoteState) => {
    if (state === null) throw new Error('a note command left no note')
    return { status, body: toNoteView(state), headers: { etag: etagOf(state.version) } }
  }

  app.post(
    '/notes',
    {
      preHandler: onlyUsers,
      schema: {
        tags,
        security,
        summary: 'Create a note owned by the caller',
        headers: NoteCommandHeaders,
        body: CreateNoteBody,
        response: { 201: NoteView, ...problemResponses(400, 401, 409, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const noteId = randomUUID()
      const response = await run(
        request,
        noteId,
        { type: 'CreateNote', actor: callerOf(request).id, ...request.body },
        (state) => {
          const created = noteResponse(201)(state)
          return { ...created, headers: { ...created.headers, location: `/notes/${state?.id ?? noteId}` } }
        },
      )
      return sendResponse(reply, response)
    },
  )

  app.patch(
    '/notes/:id',
    {
      preHandler: onlyUsers,
      schema: {
        tags,
        security,
        summary: 'Edit the title, body or tags of a note (owner or write share)',
        headers: NoteCommandHeaders,
        params: NoteParams,
        body: EditNoteBody,
        response: { 200: NoteView, ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const command: NoteCommand = {
        type: 'EditNote',
        actor: callerOf(request).id,
        expectedVersion: expectedVersionOf(request),
        changes: request.body,
      }
      return sendResponse(reply, await run(request, request.params.id, command, noteResponse(200)))
    },
  )

  app.post(
    '/notes/:id/shares',
    {
      preHandler: onlyUsers,
      schema: {
        tags,
        security,
        summary:
          'Share a note with a user (by id or e-mail address), read-only or with write access (owner only)',
        headers: NoteCommandHeaders,
        params: NoteParams,
        body: ShareNoteBody,
        response: { 200: NoteView, ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const userId = await shareeIdOf(request.body)
      const sharee = await directory.load(userId)
      const command: NoteCommand = {
        type: 'ShareNote',
        actor: callerOf(request).id,
        expectedVersion: expectedVersionOf(request),
        share: { userId, permission: request.body.permission },
        shareeIsActiveUser: sharee.state?.active === true,
      }
      return sendResponse(reply, await run(request, request.params.id, command, noteResponse(200)))
    },
  )

  app.delete(
    '/notes/:id/shares/:userId',
    {
      preHandler: onlyUsers,
      schema: {
        tags,
        security,
        summary: "Remove a user's access to a note (owner only)",
        headers: NoteCommandHeaders,
        params: ShareParams,
        response: {
          204: z.null().describe('Unshared'),
          ...problemResponses(400, 401, 403, 404, 409, 412, 503),
        },
      },
    },
    async (request, reply) => {
      const command: NoteCommand = {
        type: 'UnshareNote',
        actor: callerOf(request).id,
        expectedVersion: expectedVersionOf(request),
        userId: request.params.userId,
      }
      return sendResponse(reply, await run(request, request.params.id, command, noContent))
    },
  )

  app.delete(
    '/notes/:id',
    {
      preHandler: onlyUsers,
      schema: {
        tags,
        security,
        summary: 'Delete a note (owner only); its history stays readable by the owner',
        headers: NoteCommandHeaders,
        params: NoteParams,
        response: {
          204: z.null().describe('Deleted'),
          ...problemResponses(400, 401, 403, 404, 409, 412, 503),
        },
      },
    },
    async (request, reply) => {
      const command: NoteCommand = {
        type: 'DeleteNote',
        actor: callerOf(request).id,
        expectedVersion: expectedVersionOf(request),
      }
      return sendResponse(reply, await run(request, request.params.id, command, noContent))
    },
  )
}

const noContent = (): CommandResponse => ({ status: 204, headers: {} })
