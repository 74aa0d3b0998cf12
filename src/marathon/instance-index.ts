// Instances by task id and by app: every per-app lookup (convergence, app JSON, task lists) stays proportional to
// the app's own tasks, not to all tasks of the cluster.
import type { Instance } from './model.ts';

export class InstanceIndex {
  private readonly byTask = new Map<string, Instance>();
  private readonly byApp = new Map<string, Map<string, Instance>>();
  private readonly revisions = new Map<string, number>();
  private nextRevision = 1;

  /** Changes whenever an instance of the app is added, removed or touched: a key for cached views of the app. */
  revision(appId: string): number { return this.revisions.get(appId) ?? 0; }

  /** An instance of the app changed in place. */
  touch(appId: string): void { this.revisions.set(appId, this.nextRevision++); }

  get size(): number { return this.byTask.size; }
  get(taskId: string): Instance | undefined { return this.byTask.get(taskId); }
  values(): IterableIterator<Instance> { return this.byTask.values(); }

  set(taskId: string, instance: Instance): void {
    this.delete(taskId);
    this.byTask.set(taskId, instance);
    let app = this.byApp.get(instance.appId);
    if (!app) this.byApp.set(instance.appId, (app = new Map()));
    app.set(taskId, instance);
    this.touch(instance.appId);
  }

  delete(taskId: string): boolean {
    const existing = this.byTask.get(taskId);
    if (!existing) return false;
    this.byTask.delete(taskId);
    const app = this.byApp.get(existing.appId);
    app?.delete(taskId);
    if (app && app.size === 0) this.byApp.delete(existing.appId);
    this.touch(existing.appId);
    return true;
  }

  /** The app's instances (any state), in launch order. */
  ofApp(appId: string): Instance[] {
    return [...(this.byApp.get(appId)?.values() ?? [])];
  }
}
