import type { Folded } from '@jetnotes/platform'

/** Where the command side gets aggregate states: a cache in front of the log, keyed by stream position. */
export interface Repository<State> {
  /** The state to decide on: cached, or read from the log. */
  load(id: string): Promise<Folded<State>>
  /** The state after reading every message of the aggregate's subject that the cache has not seen. */
  refresh(id: string): Promise<Folded<State>>
  /** Records the state a successful append produced. */
  remember(id: string, folded: Folded<State>): void
  /**
   * Whether the folds accept the commit at `seq` of the aggregate's subject (`refusalOf`): asked of a retried
   * command's original, found in the log by its message id.
   */
  isAccepted(id: string, seq: number): Promise<boolean>
}
