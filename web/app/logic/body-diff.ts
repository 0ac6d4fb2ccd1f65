import { diffLines, diffWordsWithSpace } from 'diff'

/** A piece of a readable diff: text kept, added or removed, or a run of unchanged lines left out. */
export type DiffPart =
  | { kind: 'same' | 'added' | 'removed'; text: string }
  | { kind: 'skipped'; lines: number }

/** Unchanged lines shown around each change; longer unchanged runs are left out. */
const contextLines = 2
/** A changed block is shown word by word only if this share of the shorter side stayed: else as whole lines. */
const minKeptShare = 0.4
/**
 * Bounds on the work (bodies go up to 100,000 characters, and a diff's cost grows with the square of the edits):
 * past them a change is shown as whole removed and added text, which is still right, only coarser.
 */
const maxEditLength = 2_000
const maxWordDiffLength = 4_000

/**
 * A body's change as people read it: line by line, words within a changed line, long unchanged runs collapsed
 * ("12 unchanged lines"). `null` (no body before a note existed) reads as empty.
 */
export const bodyDiff = (before: string | null, after: string | null): DiffPart[] => {
  const chunks =
    diffLines(before ?? '', after ?? '', { maxEditLength }) ?? wholesale(before ?? '', after ?? '')
  const parts: DiffPart[] = []
  for (let index = 0; index < chunks.length; index++) {
    const chunk = chunks[index]
    if (chunk === undefined) continue
    const next = chunks[index + 1]
    if (chunk.removed && next?.added === true) {
      parts.push(...replacement(chunk.value, next.value))
      index++
    } else if (chunk.removed) {
      parts.push({ kind: 'removed', text: chunk.value })
    } else if (chunk.added) {
      parts.push({ kind: 'added', text: chunk.value })
    } else {
      parts.push(...unchanged(chunk.value, index === 0, index === chunks.length - 1))
    }
  }
  return joined(parts)
}

/** Lines replaced by others: word by word when they are edits of each other, else removed then added. */
const replacement = (removed: string, added: string): DiffPart[] => {
  const words =
    removed.length + added.length > maxWordDiffLength
      ? undefined
      : diffWordsWithSpace(removed, added, { maxEditLength })
  if (words === undefined) {
    return [
      { kind: 'removed', text: removed },
      { kind: 'added', text: added },
    ]
  }
  const kept = words
    .filter((word) => !word.added && !word.removed)
    .reduce((sum, word) => sum + word.value.length, 0)
  if (kept < minKeptShare * Math.min(removed.length, added.length)) {
    return [
      { kind: 'removed', text: removed },
      { kind: 'added', text: added },
    ]
  }
  return words.map((word) => ({
    kind: word.added ? 'added' : word.removed ? 'removed' : 'same',
    text: word.value,
  }))
}

/** Everything before removed, everything after added: the diff too costly to work out finely. */
const wholesale = (before: string, after: string) => [
  { value: before, added: false, removed: true },
  { value: after, added: true, removed: false },
]

/** An unchanged run, with only the lines next to a change kept when it is long. */
const unchanged = (text: string, atStart: boolean, atEnd: boolean): DiffPart[] => {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? []
  const head = atStart ? 0 : contextLines
  const tail = atEnd ? 0 : contextLines
  if (lines.length <= head + tail + 1) return [{ kind: 'same', text }]
  const parts: DiffPart[] = []
  if (head > 0) parts.push({ kind: 'same', text: lines.slice(0, head).join('') })
  parts.push({ kind: 'skipped', lines: lines.length - head - tail })
  if (tail > 0) parts.push({ kind: 'same', text: lines.slice(lines.length - tail).join('') })
  return parts
}

/** Neighbouring parts of one kind as one (word diffs come in many small pieces). */
const joined = (parts: DiffPart[]): DiffPart[] => {
  const result: DiffPart[] = []
  for (const part of parts) {
    const last = result.at(-1)
    if (last !== undefined && last.kind === part.kind && last.kind !== 'skipped' && part.kind !== 'skipped') {
      last.text += part.text
    } else if (part.kind === 'skipped' || part.text !== '') {
      result.push({ ...part })
    }
  }
  return result
}
