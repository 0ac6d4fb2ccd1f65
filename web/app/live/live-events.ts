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
 * browser reconnects by itself after a drop, sending `Last-Event-ID` so nothing is missed or repeated. Until
 * the stream has sent an event there is no id to resume from: a reconnect then may have missed changes, so
 * whoever shows live data hears `onResync` and reads it again.
 */
export class LiveEvents {
  readonly #listeners = new Set<Listener>()
  readonly #resyncListeners = new Set<() => void>()
  #source: EventSource | undefined

  start(): void {
    if (this.#source !== undefined) return
    const source = new EventSource('/api/events')
    let resumable = false
    let dropped = false
    for (const type of eventTypes) {
      source.addEventListener(type, (message) => {
        const event = message as MessageEvent<string>
        if (event.lastEventId !== '') resumable = true
        const change = JSON.parse(event.data) as LiveChange
        for (const listener of this.#listeners) listener(change)
      })
    }
    source.addEventListener('error', () => {
      dropped = true
    })
    source.addEventListener('open', () => {
      if (dropped && !resumable) for (const listener of this.#resyncListeners) listener()
      dropped = false
    })
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

  /** Calls `listener` when the stream is back after a drop it cannot resume from; returns how to stop. */
  onResync(listener: () => void): () => void {
    this.#resyncListeners.add(listener)
    return () => this.#resyncListeners.delete(listener)
  }
}

export const liveEvents = new LiveEvents()
