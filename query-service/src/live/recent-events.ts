/**
 * The most recent items, oldest first, within a budget of bytes. Dropping the oldest is O(1) (the array is
 * compacted now and then), where `Array.shift` on tens of thousands of events cost a sixth of the
 * query-service's CPU under write load.
 */
export class RecentEvents<Item> {
  #items: Item[] = []
  #head = 0
  #bytes = 0

  constructor(
    private readonly maxBytes: number,
    private readonly sizeOf: (item: Item) => number,
  ) {}

  /** Adds an item, drops the oldest while over budget (always keeping the newest), returns the last dropped. */
  push(item: Item): Item | undefined {
    this.#items.push(item)
    this.#bytes += this.sizeOf(item)
    let dropped: Item | undefined
    while (this.#bytes > this.maxBytes && this.#items.length - this.#head > 1) {
      dropped = this.#items[this.#head] as Item
      this.#head++
      this.#bytes -= this.sizeOf(dropped)
    }
    if (this.#head > 1_024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return dropped
  }

  *[Symbol.iterator](): Iterator<Item> {
    for (let index = this.#head; index < this.#items.length; index++) yield this.#items[index] as Item
  }
}
