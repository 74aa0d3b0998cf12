// Instances by task id and by app: every per-app lookup (convergence, app JSON, task lists) stays proportional to
// the app's own tasks, not to all tasks of the cluster.
import type { Instance } from './model.ts';

export class InstanceIndex {
  private readonly byTask = new Map<string, Instance>();
  private readonly byApp = new Map<string, Map<string, Instance>>();

  get size(): number { return this.byTask.size; }
  get(taskId: string): Instance | undefined { return this.byTask.get(taskId); }
  values(): IterableIterator<Instance> { return this.byTask.values(); }

  set(taskId: string, instance: Instance): void {
    this.delete(taskId);
    this.byTask.set(taskId, instance);
    let app = this.byApp.get(instance.appId);
    if (!app) this.byApp.set(instance.appId, (app = new Map()));
    app.set(taskId, instance);
  }

  delete(taskId: string): boolean {
    const existing = this.byTask.get(taskId);
    if (!existing) return false;
    this.byTask.delete(taskId);
    const app = this.byApp.get(existing.appId);
    app?.delete(taskId);
    if (app && app.size === 0) this.byApp.delete(existing.appId);
    return true;
  }

  /** The app's instances (any state), in launch order. */
  ofApp(appId: string): Instance[] {
    return [...(this.byApp.get(appId)?.values() ?? [])];
  }
}
