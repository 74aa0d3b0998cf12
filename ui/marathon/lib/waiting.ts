// "Why is this app waiting?": the launch queue's processedOffersSummary and lastUnusedOffers turned into sentences
// a person can act on, e.g. "3 of 3 recent offers lacked enough memory (asked 2048 MB, largest offer 1024 MB)". Pure.
import type { QueueEntry, UnusedOffer } from './types.ts';

export interface WaitingExplanation {
  /** "2 instances waiting to launch". */
  headline: string;
  /** One sentence per reason, most frequent first. */
  reasons: string[];
  /** Seconds until the next launch attempt when the app is held back after failures. */
  delayedSeconds: number;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const RESOURCE = {
  InsufficientMemory: { name: 'mem', what: 'memory', unit: ' MB' },
  InsufficientCpus: { name: 'cpus', what: 'CPUs', unit: ' CPUs' },
  InsufficientDisk: { name: 'disk', what: 'disk', unit: ' MB' },
  InsufficientGpus: { name: 'gpus', what: 'GPUs', unit: ' GPUs' },
} as const;

function round(n: number): string { return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/\.?0+$/, ''); }

/** The largest amount of a scalar the unused offers had: from the decline reasons ("offer has 1024"), else their resources. */
function largestOffered(offers: readonly UnusedOffer[], name: string): number | undefined {
  let best: number | undefined;
  const pattern = new RegExp(`^insufficient ${name}: need [\\d.]+, offer has ([\\d.]+)`);
  for (const o of offers) {
    for (const r of o.reason) {
      const m = pattern.exec(r);
      if (m) best = Math.max(best ?? 0, Number(m[1]));
    }
  }
  if (best !== undefined) return best;
  for (const o of offers) {
    const total = (o.offer.resources ?? []).filter((r) => r.name === name).reduce((s, r) => s + (r.scalar ?? 0), 0);
    if (o.offer.resources) best = Math.max(best ?? 0, total);
  }
  return best;
}

/** Distinct details behind one reason ("constraint [hostname, CLUSTER, x] not met") with the hosts they came from. */
function detailsFor(offers: readonly UnusedOffer[], match: (r: string) => boolean): string[] {
  const hostsByDetail = new Map<string, Set<string>>();
  for (const o of offers) {
    for (const r of o.reason) {
      if (!match(r)) continue;
      const detail = r.replace(/ on \S+$/, '').replace(/ \(offered roles?: .*\)$/, '');
      const hosts = hostsByDetail.get(detail) ?? new Set<string>();
      hosts.add(o.offer.hostname);
      hostsByDetail.set(detail, hosts);
    }
  }
  return [...hostsByDetail].map(([detail, hosts]) => `${detail} (${[...hosts].sort().join(', ')})`);
}

export function explainWaiting(entry: QueueEntry, app: { mem: number; cpus: number; disk: number; gpus?: unknown; acceptedResourceRoles?: unknown; requirePorts?: unknown }): WaitingExplanation {
  const summary = entry.processedOffersSummary;
  const offers = entry.lastUnusedOffers ?? [];
  const processed = summary?.processedOffersCount ?? 0;
  const reasons: string[] = [];
  const delayedSeconds = entry.delay.overdue ? 0 : entry.delay.timeLeftSeconds;
  const rejects = [...(summary?.rejectSummaryLastOffers ?? [])].filter((r) => r.declined > 0).sort((a, b) => b.declined - a.declined);
  for (const { reason, declined } of rejects) {
    const ofOffers = `${declined} of ${plural(processed, 'recent offer')}`;
    if (reason in RESOURCE) {
      const r = RESOURCE[reason as keyof typeof RESOURCE];
      const asked = Number((app as Record<string, unknown>)[r.name] ?? 0);
      const largest = largestOffered(offers, r.name);
      reasons.push(`${ofOffers} lacked enough ${r.what} (asked ${round(asked)}${r.unit}${largest !== undefined ? `, largest offer ${round(largest)}${r.unit}` : ''}).`);
    } else if (reason === 'InsufficientPorts') {
      const details = detailsFor(offers, (x) => x.includes('port'));
      const hint = app.requirePorts === true ? ' requirePorts is on, so each agent can run one instance per fixed port.' : '';
      reasons.push(`${ofOffers} could not provide the requested ports${details.length ? `: ${details.join('; ')}` : ''}.${hint}`);
    } else if (reason === 'UnfulfilledConstraint') {
      const details = detailsFor(offers, (x) => x.startsWith('constraint '));
      reasons.push(`${ofOffers} did not meet the placement constraints${details.length ? `: ${details.join('; ')}` : ''}.`);
    } else if (reason === 'UnfulfilledRole') {
      const roles = Array.isArray(app.acceptedResourceRoles) ? app.acceptedResourceRoles.join(', ') : '*';
      reasons.push(`${ofOffers} had the resources only under roles the app does not accept (acceptedResourceRoles: ${roles}).`);
    } else {
      reasons.push(`${ofOffers} were declined: ${reason}.`);
    }
  }
  if (delayedSeconds > 0) reasons.unshift(`Launches are delayed after failed attempts: the next try is in ${delayedSeconds} s.`);
  if (reasons.length === 0) {
    reasons.push(processed === 0
      ? 'No offers have reached Marathon for this app yet: the cluster may have no free resources, or offers are still on their way.'
      : `${plural(processed, 'recent offer')} processed; none was declined for a reason Marathon records.`);
  }
  return { headline: `${plural(entry.count, 'instance')} waiting to launch`, reasons, delayedSeconds };
}
