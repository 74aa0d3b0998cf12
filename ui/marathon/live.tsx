// The one MarathonStore of the page, its React hook, and the component that feeds it from /v2/events.
import { useEffect, useRef, useSyncExternalStore, type ReactNode } from 'react';
import { useEventStream } from '../shared/stream.ts';
import { buildGroupTree, memoizeLast, type GroupTree } from './lib/groups.ts';
import { EVENTS_PATH, MarathonStore, type MarathonSnapshot } from './lib/store.ts';
import type { MarathonEvent } from './lib/types.ts';

export const store = new MarathonStore();

// The first load starts with the script, before React mounts. A remount (the sign-in gate remounts the console)
// loads again only if that load failed, e.g. with a 401 before signing in.
store.ensureLoaded();

export function useMarathon(): MarathonSnapshot {
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

const groupTreeOf = memoizeLast(buildGroupTree);

/** The groups of the live apps, rebuilt (one pass) only when the apps or the group list changed. */
export function useGroupTree(): GroupTree {
  const { rows, groups } = useMarathon();
  return groupTreeOf(rows, groups);
}

/** The group tree of the store as it is now (e.g. after refreshNow), outside React. */
export function currentGroupTree(): GroupTree {
  const { rows, groups } = store.getSnapshot();
  return groupTreeOf(rows, groups);
}

/** Loads the state once and applies events; after a reconnect it reloads (events may have been missed meanwhile). */
export function MarathonLive({ children }: { children: ReactNode }) {
  const opens = useRef(0);
  useEffect(() => { store.ensureLoaded(); }, []);
  useEventStream(EVENTS_PATH, {
    onOpen: () => { if (opens.current++ > 0) void store.loadAll(); },
    onEvent: (e) => {
      try {
        store.onEvent({ ...(JSON.parse(e.data) as object), eventType: e.event ?? 'message' } as MarathonEvent);
      } catch { /* not JSON: not an event the console needs */ }
    },
  });
  return <>{children}</>;
}
