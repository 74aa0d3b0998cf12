// The callback URLs subscribed through /v2/eventSubscriptions (and --http-endpoints), kept in the role's store so
// they survive restarts and move with leadership, as Marathon keeps them in its state.
import type { Store } from '../state/store.ts';
import { VersionConflictError } from '../state/store.ts';

export class EventSubscriptions {
  private urls: string[] = [];
  private readonly key: string;

  constructor(private readonly store: Store, prefix = '/marathon', private readonly onChange: (urls: readonly string[]) => void = () => {}) {
    this.key = `${prefix}/event-subscribers`;
  }

  list(): readonly string[] { return this.urls; }

  async load(): Promise<void> {
    this.urls = (await this.store.get<string[]>(this.key))?.value ?? [];
    this.onChange(this.urls);
  }

  /** Adds (true) or removes (false) a URL; a no-op when it is already so. Compare-and-set against other writers. */
  async set(url: string, subscribed: boolean): Promise<void> {
    for (;;) {
      const current = await this.store.get<string[]>(this.key);
      const urls = current?.value ?? [];
      const next = subscribed ? (urls.includes(url) ? urls : [...urls, url]) : urls.filter((u) => u !== url);
      try {
        if (next !== urls) await this.store.put(this.key, next, current?.version ?? 0);
        this.urls = next;
        this.onChange(this.urls);
        return;
      } catch (err) {
        if (!(err instanceof VersionConflictError)) throw err;
      }
    }
  }
}

/** Why a callback URL is not acceptable, or undefined when it is (http or https, absolute). */
export function callbackUrlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return 'callbackUrl is required';
  let url: URL;
  try { url = new URL(value); } catch { return `'${value}' is not a valid URL`; }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `'${value}' must be an http or https URL`;
  return undefined;
}
