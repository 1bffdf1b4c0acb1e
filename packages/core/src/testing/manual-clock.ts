import type { Clock } from '../clock.js';

/** A clock that stands still until told to move; for tests of expiry and windows. */
export interface ManualClock extends Clock {
  set(at: Date | number): void;
  advance(ms: number): void;
}

export function createManualClock(start: Date | number = Date.UTC(2026, 0, 1)): ManualClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (at) => {
      current = new Date(at).getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
