/** The kinds of request the soak sends. */
export const operationKinds = ['register', 'create', 'edit', 'share', 'unshare', 'delete', 'read'] as const
export type OperationKind = (typeof operationKinds)[number]

/**
 * One acknowledged write (a 2xx), as the client saw it: what it asked and what came back. Enough to find the
 * write in the log: its aggregate, the version it was expected to follow (If-Match) and the version answered
 * (the ETag; a 204 answers none).
 */
export type AckedWrite =
  | { kind: 'register'; userId: string }
  | { kind: 'create'; noteId: string; actor: string; version: number }
  | { kind: 'edit'; noteId: string; actor: string; ifMatch: number; version: number; body: string }
  | {
      kind: 'share'
      noteId: string
      actor: string
      ifMatch: number
      version: number
      userId: string
      permission: 'read' | 'write'
    }
  | { kind: 'unshare'; noteId: string; actor: string; ifMatch: number; userId: string }
  | { kind: 'delete'; noteId: string; actor: string; ifMatch: number }

/**
 * What the soak's clients did: every acknowledged write, and how many requests of each kind ended how (a status
 * code, `timeout` or `no answer` when the connection failed).
 */
export class Ledger {
  readonly acked: AckedWrite[] = []
  readonly outcomes = new Map<OperationKind, Map<string, number>>()

  record(kind: OperationKind, outcome: string, acked?: AckedWrite): void {
    let counts = this.outcomes.get(kind)
    if (counts === undefined) {
      counts = new Map()
      this.outcomes.set(kind, counts)
    }
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1)
    if (acked !== undefined) this.acked.push(acked)
  }

  get requests(): number {
    let total = 0
    for (const counts of this.outcomes.values()) for (const count of counts.values()) total += count
    return total
  }
}
