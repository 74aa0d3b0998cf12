// The allocator decides which framework is offered which agent's resources. The master depends only on
// this interface; DRF (drf.ts) is the implementation, pure and synchronous (time comes from a Clock).
import type { Resources } from '../../common/resources.ts';

export interface Allocation { frameworkId: string; role: string; agentId: string; resources: Resources }

export interface Allocator {
  /** `used`: resources of tasks already running there (re-registration). */
  addAgent(agentId: string, total: Resources, used?: Array<{ frameworkId: string; role: string; resources: Resources }>): void;
  removeAgent(agentId: string): void;
  activateAgent(agentId: string): void;
  /** Inactive agents get no offers (e.g. disconnected). */
  deactivateAgent(agentId: string): void;
  addFramework(frameworkId: string, roles: string[], suppressedRoles?: string[]): void;
  updateFramework(frameworkId: string, roles: string[], suppressedRoles?: string[]): void;
  removeFramework(frameworkId: string): void;
  activateFramework(frameworkId: string): void;
  deactivateFramework(frameworkId: string): void;
  /** Offered or used resources come back; refuseSeconds > 0 installs a filter for (framework, role, agent). */
  recoverResources(frameworkId: string, role: string, agentId: string, resources: Resources, refuseSeconds?: number): void;
  /** No offers for these roles (all of the framework's when empty) until revive. */
  suppress(frameworkId: string, roles?: string[]): void;
  /** Unsuppresses and clears the framework's filters for those roles. */
  revive(frameworkId: string, roles?: string[]): void;
  updateWeights(weights: Record<string, number>): void;
  /** One allocation cycle (optionally over some agents only). What it returns counts as allocated until recovered. */
  allocate(agentIds?: Iterable<string>): Allocation[];
  /** What an agent has that is not allocated. */
  available(agentId: string): Resources;
  frameworkShare(frameworkId: string): number;
  roleShare(role: string): number;
}
