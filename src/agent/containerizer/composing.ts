// Picks a containerizer per task, as Mesos' composing containerizer: DOCKER containers go to `docker`, everything
// else to `mesos`; a task whose containerizer is not enabled on this agent fails to launch with a clear message.
import type { CheckPlacement, Container, Containerizer, LaunchSpec, RecoverSpec, ResourceStatistics } from './containerizer.ts';

export const CONTAINERIZER_NAMES = ['mesos', 'docker'] as const;
export type ContainerizerName = (typeof CONTAINERIZER_NAMES)[number];

/** Which containerizer a task needs, or why none on this agent can run it. */
export function chooseContainerizer(spec: Pick<LaunchSpec, 'container'>, enabled: readonly string[]): { name: ContainerizerName } | { error: string } {
  const docker = spec.container?.type === 'DOCKER';
  const name: ContainerizerName = docker ? 'docker' : 'mesos';
  if (enabled.includes(name)) return { name };
  return docker
    ? { error: `the docker containerizer is not enabled on this agent (--containerizers ${enabled.join(',')}): cannot run a DOCKER container` }
    : { error: `the mesos containerizer is not enabled on this agent (--containerizers ${enabled.join(',')}): only DOCKER containers run here` };
}

export class ComposingContainerizer implements Containerizer {
  readonly name: string;
  private readonly owner = new Map<string, Containerizer>();

  constructor(private readonly byName: Map<ContainerizerName, Containerizer>) {
    this.name = [...byName.keys()].join(',');
  }

  async launch(spec: LaunchSpec): Promise<Container> {
    const choice = chooseContainerizer(spec, [...this.byName.keys()]);
    if ('error' in choice) throw new Error(choice.error);
    const containerizer = this.byName.get(choice.name)!;
    this.owner.set(spec.containerId, containerizer);
    try {
      const container = await containerizer.launch(spec);
      void container.exited.finally(() => this.owner.delete(spec.containerId)).catch(() => undefined);
      return container;
    } catch (err) {
      this.owner.delete(spec.containerId);
      throw err;
    }
  }

  async kill(containerId: string, gracePeriodMs: number): Promise<void> {
    await this.owner.get(containerId)?.kill(containerId, gracePeriodMs);
  }

  usage(containerId: string): Promise<ResourceStatistics | undefined> {
    return this.owner.get(containerId)?.usage(containerId) ?? Promise.resolve(undefined);
  }

  containers(): string[] {
    return [...this.byName.values()].flatMap((c) => c.containers());
  }

  checkPlacement(containerId: string): Promise<CheckPlacement | undefined> {
    return this.owner.get(containerId)?.checkPlacement?.(containerId) ?? Promise.resolve(undefined);
  }

  async cleanupOrphans(agentId: string | undefined, known: ReadonlySet<string>): Promise<string[]> {
    const removed: string[] = [];
    for (const containerizer of this.byName.values()) removed.push(...(await containerizer.cleanupOrphans?.(agentId, known) ?? []));
    return removed;
  }

  /** Re-adopts a checkpointed container through whichever member still knows it. */
  async recover(spec: RecoverSpec): Promise<Container | undefined> {
    const { containerId } = spec;
    for (const containerizer of this.byName.values()) {
      const container = await containerizer.recover?.(spec);
      if (!container) continue;
      this.owner.set(containerId, containerizer);
      void container.exited.finally(() => this.owner.delete(containerId)).catch(() => undefined);
      return container;
    }
    return undefined;
  }
}
