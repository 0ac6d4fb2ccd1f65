import { DraftStore, type KeyValueStorage } from '../../logic/note-draft.ts'

const sessionStore = (): KeyValueStorage | undefined => {
  try {
    return window.sessionStorage
  } catch {
    // Storage can be switched off (a SecurityError on access): drafts then live in memory only.
    return undefined
  }
}

/**
 * Unsaved drafts, per user and note, for as long as the tab lives (reloads included): what someone typed
 * survives leaving the note, a reload and a failed save. Session storage rather than local storage, so a
 * shared computer does not keep a person's notes after the tab is closed.
 */
export const drafts = new DraftStore(sessionStore())

/** A status to show on the note's next load: "Saved" after a new note's page replaces the /new page. */
export const statusOnArrival = new Map<string, string>()
