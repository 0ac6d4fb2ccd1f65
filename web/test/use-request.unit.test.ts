import { describe, expect, it } from 'vitest'
import { ApiProblem } from '../app/api/problem.ts'
import { useRequest } from '../app/api/use-request.ts'

const problem = (detail: string) =>
  new ApiProblem(404, 'urn:jetnotes:problem:user-not-found', 'Not found', detail, new Headers(), undefined)

describe('a request from a form', () => {
  it('is busy while it runs, and a second one meanwhile is ignored', async () => {
    const { busy, run } = useRequest()
    let release = () => {}
    const first = run(() => new Promise<void>((resolve) => (release = resolve)))
    expect(busy.value).toBe(true)
    let ranSecond = false
    expect(
      await run(async () => {
        ranSecond = true
      }),
    ).toBe(false)
    expect(ranSecond).toBe(false)
    release()
    expect(await first).toBe(true)
    expect(busy.value).toBe(false)
  })

  it("shows a failure in the problem's words, or in the words the caller chooses, and clears them on the next try", async () => {
    const { error, run } = useRequest()
    expect(
      await run(async () => {
        throw problem('No user has this e-mail address')
      }),
    ).toBe(false)
    expect(error.value).toBe('No user has this e-mail address')
    await run(
      async () => {
        throw problem('ignored')
      },
      () => 'Nobody by that address',
    )
    expect(error.value).toBe('Nobody by that address')
    expect(await run(async () => {})).toBe(true)
    expect(error.value).toBe('')
  })
})
