// The fetcher: downloads or copies a task's CommandInfo.uris into its sandbox before the containerizer launches it,
// marks executables, unpacks archives with the system's tar/unzip/gzip (as Mesos' fetcher does), and keeps an
// agent-level cache keyed by URI for URIs with `cache` set.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { extractCommand, planFetch, type FetchStep, type FetchUri } from './fetcher-plan.ts';
import { ClientTls, describeTlsError } from '../security/tls.ts';

const run = promisify(execFile);

/** A fetch that failed, naming the URI (the task fails with this message). */
export class FetchError extends Error {}

export interface FetcherOptions {
  /** Directory of the agent-level cache (created on first use). */
  cacheDir: string;
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
    if (step.cache) {
      const cached = join(this.opts.cacheDir, createHash('sha256').update(step.uri).digest('hex'));
      if (!(await stat(cached).catch(() => undefined))) {
        await mkdir(this.opts.cacheDir, { recursive: true });
        await this.retrieve(step, cached, signal);
      } else {
        this.opts.logger.debug({ uri: step.uri }, 'fetcher cache hit');
      }
      await copyFile(cached, target);
    } else {
      await this.retrieve(step, target, signal);
    }
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

  /** Downloads or copies the URI's content to `dest` (through a temporary file, so a failure leaves nothing). */
  private async retrieve(step: FetchStep, dest: string, signal?: AbortSignal): Promise<void> {
    const tmp = `${dest}.fetching-${process.pid}`;
    try {
      if (step.source.kind === 'file') {
        const st = await stat(step.source.path).catch(() => undefined);
        if (!st) throw new Error(`no such file: ${step.source.path}`);
        if (!st.isFile()) throw new Error(`not a regular file: ${step.source.path}`);
        await copyFile(step.source.path, tmp);
      } else {
        let res: Response;
        try {
          const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 600_000);
          res = await (this.opts.tls ?? ClientTls.none).fetch(step.source.url, { redirect: 'follow', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
        } catch (err) {
          const cause = (err as { cause?: { code?: string; message?: string } }).cause;
          throw new Error(describeTlsError(err) ?? cause?.code ?? cause?.message ?? (err as Error).message);
        }
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
        await pipeline(Readable.fromWeb(res.body as never), createWriteStream(tmp));
      }
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}
