// Re-runs `reload` shortly after `trigger` changes (debounced, so a burst of events costs one request) and, if
// `everyMs` is given, at that slow pace for what changes without events; never while the tab is hidden.
import { useEffect, useRef } from 'react';

export function useRefresh(reload: () => void, trigger: unknown, { debounceMs = 1000, everyMs }: { debounceMs?: number; everyMs?: number } = {}): void {
  const latest = useRef(reload);
  latest.current = reload;
  const first = useRef(true);
  useEffect(() => {
    // The caller loads once on mount itself; only changes after that refresh.
    if (first.current) { first.current = false; return; }
    const t = setTimeout(() => latest.current(), debounceMs);
    return () => clearTimeout(t);
  }, [trigger, debounceMs]);
  useEffect(() => {
    if (!everyMs) return;
    const t = setInterval(() => { if (document.visibilityState !== 'hidden') latest.current(); }, everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
}
