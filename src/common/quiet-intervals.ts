// Work that should run only while a process is quiet (after a burst of calls, not during it).
import { performance } from 'node:perf_hooks';

/**
 * Calls `fn` at the end of every `intervalMs` in which the event loop was busy less than `maxUtilization` of the
 * time (Node's event-loop utilization). Returns a function that stops the checks; the timer never keeps the
 * process alive.
 */
export function onQuietIntervals(intervalMs: number, maxUtilization: number, fn: () => void): () => void {
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    if (utilization < maxUtilization) fn();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
