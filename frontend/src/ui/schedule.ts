// An injectable one-shot timer, so components can poll and tests can drive the polling by hand.

/** Runs fn after ms; returns a cancel function. */
export type Scheduler = (fn: () => void, ms: number) => () => void;

export const defaultScheduler: Scheduler = (fn, ms) => {
  const id = setTimeout(fn, ms);
  return () => clearTimeout(id);
};
