import { ref } from 'vue'
import { messageOf } from './problem.ts'

/**
 * One request at a time from a form or a button: `busy` while it runs (another `run` meanwhile is ignored), and
 * `error`, the words shown when it fails (from the problem's detail or title, unless `wording` says it better).
 */
export const useRequest = () => {
  const busy = ref(false)
  const error = ref('')
  /** Runs `request`; resolves whether it succeeded (false also when another was still running). */
  const run = async (
    request: () => Promise<void>,
    wording: (caught: unknown) => string = messageOf,
  ): Promise<boolean> => {
    if (busy.value) return false
    busy.value = true
    error.value = ''
    try {
      await request()
      return true
    } catch (caught) {
      error.value = wording(caught)
      return false
    } finally {
      busy.value = false
    }
  }
  return { busy, error, run }
}
