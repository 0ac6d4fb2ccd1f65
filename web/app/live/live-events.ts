import type { NoteView } from '../api/types.ts'

/** One change as the live stream (`/api/events`) sends it; `note` is null once the note is no longer visible. */
export type LiveChange = {
  noteId: string
  version: number
  type: 'NoteCreated' | 'NoteEdited' | 'NoteShared' | 'NoteUnshared' | 'NoteDeleted'
  actor: { id: string; name: string | null }
  time: string
  note: NoteView | null
}

const eventTypes: LiveChange['type'][] = [
  'NoteCreated',
  'NoteEdited',
  'NoteShared',
  'NoteUnshared',
  'NoteDeleted',
]

type Listener = (change: LiveChange) => void

/**
 * The page's one live connection: an EventSource on the gateway (the session cookie goes with it), which the
 * browser reconnects by itself after a drop, sending `Last-Event-ID` so nothing is missed or repeated.
 */
export class LiveEvents {
  readonly #listeners = new Set<Listener>()
  #source: EventSource | undefined

  start(): void {
    if (this.#source !== undefined) return
    const source = new EventSource('/api/events')
    for (const type of eventTypes) {
      source.addEventListener(type, (message) => {
        const change = JSON.parse((message as MessageEvent<string>).data) as LiveChange
        for (const listener of this.#listeners) listener(change)
      })
    }
    this.#source = source
  }

  stop(): void {
    this.#source?.close()
    this.#source = undefined
  }

  /** Calls `listener` with every change; returns how to stop. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}

export const liveEvents = new LiveEvents()
