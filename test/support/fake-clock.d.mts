import type { Clock, TimerHandle } from '../../src/core/clock.js';

export declare class FakeClock implements Clock {
  constructor(startMs?: number);
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  readonly pendingTimers: number;
  advance(ms: number): Promise<void>;
  set(ms: number): void;
}

export declare function flushMicrotasks(rounds?: number): Promise<void>;
