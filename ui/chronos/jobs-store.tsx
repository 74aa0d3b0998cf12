// The console's one live copy of the job list: the summary loaded once, then kept current from the event stream
// (GET /v1/scheduler/events) instead of polling. Events are applied in batches so a burst (a bulk import, a
// schedule tick of thousands of jobs) costs one render, not thousands.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api } from '../shared/api.ts';
import { useEventStream } from '../shared/stream.ts';
import type { ChronosEvent, JobSummary } from './types.ts';

export interface JobsStore {
  /** Sorted by name; undefined until the first load. */
  jobs: JobSummary[] | undefined;
  byName: ReadonlyMap<string, JobSummary>;
  error: unknown;
  /** Whether the event stream is attached (updates are live). */
  live: boolean;
  /** Called with every event (after the list applied it). */
  onEvent(listener: (e: ChronosEvent) => void): () => void;
  reload(): void;
}

const Context = createContext<JobsStore | undefined>(undefined);
const SUMMARY = '/v1/scheduler/jobs/summary';
// Asked for as soon as the script runs, in parallel with React's first render; the first load takes it.
let prefetched: Promise<{ jobs: JobSummary[] }> | undefined = api<{ jobs: JobSummary[] }>(SUMMARY);
prefetched.catch(() => undefined); // handled where it is taken
const FLUSH_MS = 100;
const byNameOrder = (a: JobSummary, b: JobSummary) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function JobsProvider({ children }: { children: ReactNode }) {
  const map = useRef(new Map<string, JobSummary>());
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>();
  const [live, setLive] = useState(false);
  const listeners = useRef(new Set<(e: ChronosEvent) => void>());
  const pending = useRef<ChronosEvent[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const generation = useRef(0);

  const reload = useCallback(() => {
    const mine = ++generation.current;
    const request = prefetched ?? api<{ jobs: JobSummary[] }>(SUMMARY);
    prefetched = undefined;
    request.then((r) => {
      if (mine !== generation.current) return;
      performance.mark('chronos:summary-loaded');
      map.current = new Map(r.jobs.map((j) => [j.name, j]));
      setLoaded(true); setError(undefined); setVersion((v) => v + 1);
    }, (e: unknown) => { if (mine === generation.current) setError(e); });
  }, []);

  useEffect(() => { reload(); return () => clearTimeout(timer.current); }, [reload]);

  const flush = useCallback(() => {
    timer.current = undefined;
    const events = pending.current;
    pending.current = [];
    for (const e of events) {
      if (e.type === 'job_deleted') map.current.delete(e.jobName);
      else if (e.job) map.current.set(e.job.name, e.job);
    }
    setVersion((v) => v + 1);
    for (const e of events) for (const l of listeners.current) l(e);
  }, []);

  const opened = useRef(0);
  useEventStream('/v1/scheduler/events', {
    onOpen: () => { setLive(true); if (opened.current++ > 0) reload(); },
    onEvent: (m) => {
      if (!m.data) return;
      pending.current.push(JSON.parse(m.data) as ChronosEvent);
      timer.current ??= setTimeout(flush, FLUSH_MS);
    },
  });

  const jobs = useMemo(() => (loaded ? [...map.current.values()].sort(byNameOrder) : undefined), [loaded, version]);
  const onEvent = useCallback((l: (e: ChronosEvent) => void) => { listeners.current.add(l); return () => { listeners.current.delete(l); }; }, []);
  const value = useMemo<JobsStore>(() => ({ jobs, byName: map.current, error, live, onEvent, reload }), [jobs, error, live, onEvent, reload]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useJobs(): JobsStore {
  const store = useContext(Context);
  if (!store) throw new Error('useJobs outside JobsProvider');
  return store;
}

/** Runs `listener` for events about `jobName` (its runs finishing, its definition changing). */
export function useJobEvents(jobName: string | undefined, listener: (e: ChronosEvent) => void): void {
  const { onEvent } = useJobs();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => (jobName === undefined ? undefined : onEvent((e) => { if (e.jobName === jobName) latest.current(e); })), [jobName, onEvent]);
}
