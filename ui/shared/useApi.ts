// Loads a JSON resource and keeps it in state; `reload` refetches (e.g. when an event says it changed).
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api.ts';

export interface Loaded<T> { data: T | undefined; error: unknown; loading: boolean; reload(): void }

export function useApi<T>(path: string | undefined): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const reload = useCallback(() => {
    if (!path) return;
    const mine = ++generation.current;
    api<T>(path).then(
      (d) => { if (mine === generation.current) { setData(d); setError(undefined); setLoading(false); } },
      (e: unknown) => { if (mine === generation.current) { setError(e); setLoading(false); } },
    );
  }, [path]);
  useEffect(() => { setLoading(true); reload(); }, [reload]);
  return { data, error, loading, reload };
}
