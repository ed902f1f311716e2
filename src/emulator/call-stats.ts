import type { Operation } from '../lakeformation/types.js';

/** The Lake Formation credential calls, the STS and Glue calls the Iceberg flow makes, and Iceberg REST catalog operations (`iceberg:loadTable`, ...). */
export type RecordedOperation = Operation | 'AssumeRole' | 'GetTable' | `iceberg:${string}`;

/** `success`, an error name such as `ThrottlingException`, or `outage` (connection dropped). */
export type CallOutcome = string;

export interface CallStatsSnapshot {
  calls: Partial<Record<RecordedOperation, Record<CallOutcome, number>>>;
  total: number;
}

/** Counts credential calls by operation and outcome. */
export class CallStats {
  #calls = new Map<RecordedOperation, Map<CallOutcome, number>>();
  #total = 0;

  record(operation: RecordedOperation, outcome: CallOutcome): void {
    const outcomes = this.#calls.get(operation) ?? new Map<CallOutcome, number>();
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    this.#calls.set(operation, outcomes);
    this.#total += 1;
  }

  snapshot(): CallStatsSnapshot {
    const calls: CallStatsSnapshot['calls'] = {};
    for (const [operation, outcomes] of this.#calls) calls[operation] = Object.fromEntries(outcomes);
    return { calls, total: this.#total };
  }

  clear(): void {
    this.#calls.clear();
    this.#total = 0;
  }
}
