// The master's /master/state renderings are kept between requests (docs/decisions/0010), but the first request after
// a burst renders every changed framework's tasks from scratch: ~1 s at 100,000 tasks. Re-rendering what changed
// once the burst is over (just before the compacting collection of src/common/gc-tuning.ts, which then also
// sweeps the rendering's garbage) makes that first request as fast as the next ones, at the cost of holding the
// renderings (the size of the body, ~45 MB at that size, off the V8 heap).
import { restrictsViewing } from '../security/acls.ts';
import type { Master } from './master.ts';
import { masterStateChunks } from './state-render.ts';

/** Renders (and keeps) whatever changed since the last rendering; unchanged frameworks and agents are cache hits. */
export function warmState(master: Master): void {
  // With viewing ACLs every principal gets its own filtered view (and renderings): nothing shared to warm.
  if (restrictsViewing(master.opts.acls)) return;
  masterStateChunks(master);
}
