/** The newest `capacity` entries, oldest first. */
export class BoundedLog<T> {
  readonly #capacity: number;
  #entries: T[] = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  push(entry: T): T {
    this.#entries.push(entry);
    if (this.#entries.length > this.#capacity) this.#entries.shift();
    return entry;
  }

  entries(): T[] {
    return [...this.#entries];
  }

  clear(): void {
    this.#entries = [];
  }
}
