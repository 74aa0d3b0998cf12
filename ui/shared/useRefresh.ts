// Re-runs `reload` once `delayMs` after `trigger` changes, however often it changes meanwhile (a burst of events
// costs one request per delay, and a steady stream still refreshes), and, if `everyMs` is given, at that slow pace
// for what changes without events. Periodic refreshes pause while the tab is hidden.
import { useEffect, useRef } from 'react';

export function useRefresh(reload: () => void, trigger: unknown, { delayMs = 1000, everyMs }: { delayMs?: number; everyMs?: number } = {}): void {
  const latest = useRef(reload);
  latest.current = reload;
  const first = useRef(true);
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => {
    // The caller loads once on mount itself; only changes after that refresh.
    if (first.current) { first.current = false; return; }
    pending.current ??= setTimeout(() => { pending.current = undefined; latest.current(); }, delayMs);
  }, [trigger, delayMs]);
  useEffect(() => () => { clearTimeout(pending.current); pending.current = undefined; }, []);
  useEffect(() => {
    if (!everyMs) return;
    const t = setInterval(() => { if (document.visibilityState !== 'hidden') latest.current(); }, everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
}
