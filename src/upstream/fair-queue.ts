/**
 * The limiter's waiting calls: one FIFO per fairness key (a pod in agent
 * mode; calls without a key share one), kept in turn order. The first key is
 * served next and a served key moves to the back, so a caller that queued
 * many calls delays another caller's first call by one call per waiting key,
 * not by everything it queued. Never holds an empty queue, so memory follows
 * the waiting calls.
 */
export interface FairQueueItem {
  readonly fairnessKey: string | undefined;
  /** Arrival order across every key's queue. */
  readonly sequence: number;
}

export class FairQueue<T extends FairQueueItem> {
  readonly #queues = new Map<string | undefined, T[]>();
  #size = 0;

  /** Items waiting, over every key. */
  get size(): number {
    return this.#size;
  }

  /** Keys with at least one item waiting. */
  get keys(): number {
    return this.#queues.size;
  }

  /** Queues `item` behind its key's others; a key new to the queue waits one turn of each key already waiting. */
  push(item: T): void {
    const queue = this.#queues.get(item.fairnessKey);
    if (queue === undefined) this.#queues.set(item.fairnessKey, [item]);
    else queue.push(item);
    this.#size += 1;
  }

  /**
   * The next item: of the first key in turn order that has an `urgent` one,
   * its first urgent item; when none is urgent, the oldest item of the key
   * whose turn it is. The key served moves to the back of the turn order.
   */
  shift(urgent: (item: T) => boolean): T | undefined {
    let chosen: [string | undefined, T[], number] | undefined;
    for (const [key, queue] of this.#queues) {
      const index = queue.findIndex(urgent);
      if (index >= 0) {
        chosen = [key, queue, index];
        break;
      }
    }
    if (chosen === undefined) {
      const first = this.#queues.entries().next();
      if (first.done) return undefined;
      chosen = [first.value[0], first.value[1], 0];
    }
    const [key, queue, index] = chosen;
    const [item] = queue.splice(index, 1) as [T];
    this.#size -= 1;
    this.#queues.delete(key);
    if (queue.length > 0) this.#queues.set(key, queue);
    return item;
  }

  /** The newest item (by `sequence`, over every key) that `matches`. */
  newest(matches: (item: T) => boolean): T | undefined {
    let found: T | undefined;
    for (const queue of this.#queues.values()) {
      for (let i = queue.length - 1; i >= 0; i--) {
        const candidate = queue[i] as T;
        if (found !== undefined && candidate.sequence < found.sequence) break;
        if (matches(candidate)) {
          found = candidate;
          break;
        }
      }
    }
    return found;
  }

  /** Takes `item` out of its key's queue, and the key out of the turn order once its queue is empty. */
  remove(item: T): void {
    const queue = this.#queues.get(item.fairnessKey);
    const index = queue === undefined ? -1 : queue.indexOf(item);
    if (queue === undefined || index < 0) return;
    queue.splice(index, 1);
    this.#size -= 1;
    if (queue.length === 0) this.#queues.delete(item.fairnessKey);
  }

  /** Every item waiting, emptying the queue. */
  drain(): T[] {
    const items = [...this.#queues.values()].flat();
    this.#queues.clear();
    this.#size = 0;
    return items;
  }
}
