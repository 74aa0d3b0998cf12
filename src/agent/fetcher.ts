// The fetcher: downloads or copies a task's CommandInfo.uris into its sandbox before the containerizer launches it,
// marks executables, unpacks archives with the system's tar/unzip/gzip (as Mesos' fetcher does), and keeps an
// agent-level cache keyed by URI for URIs with `cache` set (size-limited, least recently used out first).
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { extractCommand, planFetch, type FetchStep, type FetchUri } from './fetcher-plan.ts';
import { ClientTls, describeTlsError } from '../security/tls.ts';
import type { FetcherCache } from './fetcher-cache.ts';

const run = promisify(execFile);

/** A fetch that failed, naming the URI (the task fails with this message). */
export class FetchError extends Error {}

/** A URI's content, opened: its size when known in advance, and how to write it to a file (once). */
interface OpenedSource { size?: number; writeTo(dest: string): Promise<void>; discard(): void }

export interface FetcherOptions {
  /** The agent-level cache for URIs with `cache` set. */
  cache: FetcherCache;
  logger: Logger;
  /** Gives up on one download after this long. */
  timeoutMs?: number;
  /** Trusts the cluster's CA (--ca-file) for https URIs, on top of the built-in roots. */
  tls?: ClientTls;
}

export class Fetcher {
  constructor(private readonly opts: FetcherOptions) {}

  /**
   * Fetches every URI into the sandbox, in order; throws FetchError for the first one that fails. `signal` aborts
   * a download in progress (the task was killed while staging).
   */
  async fetchAll(uris: FetchUri[], sandbox: string, signal?: AbortSignal): Promise<void> {
    for (const uri of uris) {
      try {
        signal?.throwIfAborted();
        await this.fetchOne(planFetch(uri), sandbox, signal);
      } catch (err) {
        throw new FetchError(`Failed to fetch '${uri.value}': ${(err as Error).message}`);
      }
    }
  }

  private async fetchOne(step: FetchStep, sandbox: string, signal?: AbortSignal): Promise<void> {
    const target = join(sandbox, step.name);
    await mkdir(dirname(target), { recursive: true });
    if (step.cache) await this.fetchThroughCache(step, target, signal);
    else await (await this.open(step, signal)).writeTo(target);
    if (step.executable) await chmod(target, 0o755);
    if (step.extract) {
      const [cmd, args] = extractCommand(step.extract, target, dirname(target));
      try {
        await run(cmd, args, { cwd: sandbox, timeout: this.opts.timeoutMs ?? 600_000, ...(signal ? { signal } : {}) });
      } catch (err) {
        const e = err as NodeJS.ErrnoException & { stderr?: string };
        throw new Error(e.code === 'ENOENT' ? `cannot extract: '${cmd}' is not installed` : `cannot extract: ${(e.stderr || e.message).trim()}`);
      }
    }
    this.opts.logger.info({ uri: step.uri, file: target, extracted: Boolean(step.extract) }, 'fetched URI');
  }

  /**
   * A cached URI: copied from the cache when there (waiting for a download in progress), else downloaded into the
   * cache and copied. When it cannot be cached (bigger than the cache, size unknown, no room left) it is fetched
   * straight into the sandbox, as Mesos' fetcher falls back.
   */
  private async fetchThroughCache(step: FetchStep, target: string, signal?: AbortSignal): Promise<void> {
    const cache = this.opts.cache;
    const existing = cache.acquire(step.uri);
    if (existing) {
      try {
        if (await existing.ready) {
          await copyFile(existing.file, target);
          this.opts.logger.debug({ uri: step.uri }, 'fetcher cache hit');
          return;
        }
      } finally {
        cache.release(existing);
      }
      // Its download failed meanwhile: try again below.
    }
    const source = await this.open(step, signal);
    if (source.size === undefined) { await this.stageThenCache(step, source, target); return; }
    let reserved: Awaited<ReturnType<FetcherCache['reserve']>>;
    try {
      reserved = await cache.reserve(step.uri, source.size);
    } catch (err) {
      source.discard();
      throw err;
    }
    if ('bypass' in reserved) {
      this.opts.logger.info({ uri: step.uri, reason: reserved.bypass }, 'fetching without the cache');
      await source.writeTo(target);
      return;
    }
    try {
      try {
        await source.writeTo(reserved.file);
      } catch (err) {
        await cache.failed(reserved);
        throw err;
      }
      await cache.completed(reserved);
      await copyFile(reserved.file, target);
    } finally {
      cache.release(reserved);
    }
  }

  /**
   * A download whose size is not announced (no Content-Length): it is downloaded next to the cache first and then
   * enters it if its real size fits, else it is copied to the sandbox only.
   */
  private async stageThenCache(step: FetchStep, source: OpenedSource, target: string): Promise<void> {
    const cache = this.opts.cache;
    const staged = await cache.stagingFile(step.uri);
    try {
      await source.writeTo(staged);
      const reserved = await cache.reserve(step.uri, (await stat(staged)).size);
      if ('bypass' in reserved) {
        this.opts.logger.info({ uri: step.uri, reason: reserved.bypass }, 'fetched without the cache');
        await copyFile(staged, target);
        return;
      }
      try {
        await rename(staged, reserved.file);
        await cache.completed(reserved);
        await copyFile(reserved.file, target);
      } catch (err) {
        await cache.failed(reserved);
        throw err;
      } finally {
        cache.release(reserved);
      }
    } finally {
      await rm(staged, { force: true });
    }
  }

  /** Opens the URI's source: a local file, or an HTTP response whose headers have arrived. */
  private async open(step: FetchStep, signal?: AbortSignal): Promise<OpenedSource> {
    if (step.source.kind === 'file') {
      const path = step.source.path;
      const st = await stat(path).catch(() => undefined);
      if (!st) throw new Error(`no such file: ${path}`);
      if (!st.isFile()) throw new Error(`not a regular file: ${path}`);
      return { size: st.size, writeTo: (dest) => this.writeAtomically(dest, (tmp) => copyFile(path, tmp)), discard: () => undefined };
    }
    let res: Response;
    try {
      const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 600_000);
      res = await (this.opts.tls ?? ClientTls.none).fetch(step.source.url, { redirect: 'follow', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(describeTlsError(err) ?? cause?.code ?? cause?.message ?? (err as Error).message);
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
    }
    const body = res.body;
    // fetch() decodes a Content-Encoding, so Content-Length then says nothing of the bytes written.
    const length = res.headers.get('content-encoding') ? null : res.headers.get('content-length');
    const size = length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
    return {
      ...(size !== undefined ? { size } : {}),
      writeTo: (dest) => this.writeAtomically(dest, (tmp) => pipeline(Readable.fromWeb(body as never), createWriteStream(tmp))),
      discard: () => void body.cancel().catch(() => undefined),
    };
  }

  /** Writes `dest` through a temporary file, so that a failure leaves nothing behind. */
  private async writeAtomically(dest: string, write: (tmp: string) => Promise<void>): Promise<void> {
    const tmp = `${dest}.fetching-${process.pid}`;
    try {
      await write(tmp);
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}
