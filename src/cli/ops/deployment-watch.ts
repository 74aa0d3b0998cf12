// Follows a Marathon deployment until it converges: outcomes from /v2/events (deployment_success/failed), progress
// from polling /v2/deployments and the app, so a dropped event stream only costs the failure reason.
import { CliError } from './http.ts';
import type { MarathonClient, MarathonEvent } from './marathon-client.ts';
import type { Progress } from './views.ts';

const FAILED_STATES = new Set(['TASK_FAILED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_GONE']);

export interface Watch {
  /** Waits for the deployment started by the call; `appId` is followed for progress (absent once destroyed). */
  wait(deploymentId: string, opts: { appId: string; destroying?: boolean; timeoutMs: number; onProgress(p: Progress): void }): Promise<Progress>;
  close(): void;
}

/** Attaches to the event stream first, so no outcome of the deployment about to start can be missed. */
export async function watchDeployments(client: MarathonClient): Promise<Watch> {
  const outcomes = new Map<string, { ok: boolean; reason?: string }>();
  const failures: { appId: string; message: string }[] = [];
  const onEvent = (e: MarathonEvent) => {
    if (e.eventType === 'deployment_success' && typeof e.id === 'string') outcomes.set(e.id, { ok: true });
    if (e.eventType === 'deployment_failed' && typeof e.id === 'string') outcomes.set(e.id, { ok: false, reason: typeof e.reason === 'string' ? e.reason : undefined });
    if (e.eventType === 'status_update_event' && FAILED_STATES.has(String(e.taskStatus))) failures.push({ appId: String(e.appId), message: `${e.taskStatus}${e.message ? `: ${e.message}` : ''}` });
  };
  let detach: () => void = () => undefined;
  try { detach = await client.subscribe(['deployment_success', 'deployment_failed', 'status_update_event'], onEvent); } catch { /* polling alone still works */ }
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  return {
    close: () => detach(),
    async wait(deploymentId, opts) {
      const start = Date.now();
      const norm = `/${opts.appId.replace(/^\/+/, '')}`;
      let progress: Progress = { running: 0, wanted: 0, step: 0, steps: 0, elapsedMs: 0, failures: 0 };
      for (;;) {
        const deployment = (await client.deployments()).find((d) => d.id === deploymentId);
        let app;
        if (!opts.destroying) { try { app = await client.app(norm); } catch (err) { if ((err as CliError).kind !== 'not-found') throw err; } }
        const appFailures = failures.filter((f) => f.appId === norm);
        progress = {
          running: app?.tasksRunning ?? 0, wanted: opts.destroying ? 0 : app?.instances ?? 0,
          step: deployment?.currentStep ?? progress.step, steps: deployment?.totalSteps ?? progress.steps,
          action: deployment?.currentActions?.[0]?.action ?? progress.action, elapsedMs: Date.now() - start, failures: appFailures.length,
        };
        opts.onProgress(progress);
        if (!deployment) {
          // Gone from the list: the event says how it ended (give it a moment to arrive); no event means success.
          for (let i = 0; i < 5 && !outcomes.has(deploymentId); i++) await sleep(100);
          const outcome = outcomes.get(deploymentId) ?? { ok: true };
          if (!outcome.ok) throw new CliError('failed', `deployment ${deploymentId} failed${outcome.reason ? `: ${outcome.reason}` : ''}`);
          if (!opts.destroying) {
            const after = await client.app(norm);
            progress = { ...progress, running: after.tasksRunning ?? 0, wanted: after.instances, step: progress.steps, elapsedMs: Date.now() - start };
          }
          return progress;
        }
        if (Date.now() - start > opts.timeoutMs) {
          const last = appFailures.at(-1);
          throw new CliError('timeout', `deployment ${deploymentId} did not finish in ${Math.round(opts.timeoutMs / 1000)}s (${progress.running}/${progress.wanted} running${last ? `, last task failure ${last.message}` : ''}); it goes on — see \`trireme deployment list\``);
        }
        await sleep(500);
      }
    },
  };
}
