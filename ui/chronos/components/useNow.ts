// A clock that ticks every `ms`, so relative times ("in 5m") stay right without refetching anything.
import { useEffect, useState } from 'react';

export function useNow(ms = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => { const t = setInterval(() => setNow(Date.now()), ms); return () => clearInterval(t); }, [ms]);
  return now;
}
