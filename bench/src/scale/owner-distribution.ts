/**
 * Who owns each generated note: users ranked 1..n, user r owning a share of the notes proportional to 1/r
 * (Zipf, exponent 1), as in real teams a few people write most of the notes. With 100,000 users the first
 * owns about 8% of all notes, the hundredth 0.08%, and most users a handful. Seeded, so a run is repeatable.
 */
export const ownerDistribution = (users: number, seed = 1) => {
  const cumulative = new Float64Array(users)
  let total = 0
  for (let rank = 0; rank < users; rank++) {
    total += 1 / (rank + 1)
    cumulative[rank] = total
  }
  const random = mulberry32(seed)
  return {
    /** The index (0-based rank) of the owner of the next note. */
    next: () => {
      const target = random() * total
      let low = 0
      let high = users - 1
      while (low < high) {
        const middle = (low + high) >>> 1
        if ((cumulative[middle] ?? total) < target) low = middle + 1
        else high = middle
      }
      return low
    },
    /** The share of all notes the user of this rank owns, on average. */
    shareOf: (rank: number) => 1 / (rank + 1) / total,
    /** A uniformly random user, for the other side of a share. */
    anyUser: () => Math.floor(random() * users),
  }
}

/** A small, fast seeded PRNG (uniform in [0, 1)); Math.random cannot be seeded. */
const mulberry32 = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
