// Mesos v1 JSON messages: TypeScript types plus runtime schemas for what arrives over the wire.
// Field names and enum strings are exactly those of include/mesos/v1/mesos.proto and scheduler.proto.
import { z } from 'zod';
import type { AttributeJSON, ResourceJSON } from '../common/resources.ts';

export type { AttributeJSON, ResourceJSON };

export interface ID { value: string }
export interface Label { key: string; value?: string }
export interface Labels { labels: Label[] }

export const TASK_STATES = [
  'TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED',
  'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_UNREACHABLE', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** As Mesos' protobuf::isTerminalState. */
export function isTerminalState(state: TaskState): boolean {
  return state === 'TASK_FINISHED' || state === 'TASK_FAILED' || state === 'TASK_KILLED' || state === 'TASK_ERROR'
    || state === 'TASK_LOST' || state === 'TASK_DROPPED' || state === 'TASK_GONE' || state === 'TASK_GONE_BY_OPERATOR';
}

export type TaskSource = 'SOURCE_MASTER' | 'SOURCE_AGENT' | 'SOURCE_EXECUTOR';

export type TaskReason =
  | 'REASON_COMMAND_EXECUTOR_FAILED' | 'REASON_EXECUTOR_TERMINATED' | 'REASON_FRAMEWORK_REMOVED' | 'REASON_INVALID_OFFERS'
  | 'REASON_CONTAINER_LIMITATION_MEMORY' | 'REASON_RECONCILIATION' | 'REASON_AGENT_DISCONNECTED' | 'REASON_AGENT_REMOVED'
  | 'REASON_AGENT_RESTARTED' | 'REASON_AGENT_UNKNOWN' | 'REASON_TASK_INVALID' | 'REASON_TASK_UNKNOWN'
  | 'REASON_CONTAINER_LAUNCH_FAILED' | 'REASON_TASK_GROUP_INVALID' | 'REASON_TASK_KILLED_DURING_LAUNCH'
  | 'REASON_AGENT_REMOVED_BY_OPERATOR' | 'REASON_AGENT_REREGISTERED' | 'REASON_EXECUTOR_REGISTRATION_TIMEOUT'
  | 'REASON_CONTAINER_LIMITATION' | 'REASON_MAX_COMPLETION_TIME_REACHED' | 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED'
  | 'REASON_TASK_UNAUTHORIZED';

export interface TaskStatus {
  task_id: ID;
  state: TaskState;
  message?: string;
  source?: TaskSource;
  reason?: TaskReason;
  data?: string;
  agent_id?: ID;
  executor_id?: ID;
  timestamp?: number;
  uuid?: string;
  healthy?: boolean;
  labels?: Labels;
  container_status?: { container_id?: ID; executor_pid?: number; network_infos?: unknown[] };
  unreachable_time?: { nanoseconds: number };
}

export interface MasterInfo {
  id: string;
  ip: number;
  port: number;
  pid: string;
  hostname: string;
  version: string;
  address: { hostname: string; ip: string; port: number };
  capabilities?: Array<{ type: string }>;
}

export interface AgentInfo {
  hostname: string;
  port: number;
  resources: ResourceJSON[];
  attributes: AttributeJSON[];
  id?: ID;
}

// ---- runtime schemas (only what is validated on input; unknown fields pass through) ----

const idSchema = z.object({ value: z.string().min(1, 'must be a non-empty string') });

const rangeSchema = z.object({ begin: z.number().int().nonnegative(), end: z.number().int().nonnegative() });
export const resourceSchema = z.looseObject({
  name: z.string().min(1),
  type: z.enum(['SCALAR', 'RANGES', 'SET']),
  scalar: z.object({ value: z.number().nonnegative() }).optional(),
  ranges: z.object({ range: z.array(rangeSchema) }).optional(),
  set: z.object({ item: z.array(z.string()) }).optional(),
  role: z.string().optional(),
  reservations: z.array(z.looseObject({ role: z.string(), type: z.string().optional() })).optional(),
  allocation_info: z.object({ role: z.string() }).optional(),
});

const labelsSchema = z.object({ labels: z.array(z.object({ key: z.string(), value: z.string().optional() })) });

const environmentSchema = z.object({
  variables: z.array(z.looseObject({ name: z.string().min(1), type: z.enum(['VALUE', 'SECRET', 'UNKNOWN']).optional(), value: z.string().optional() })).default([]),
});

export const commandInfoSchema = z.looseObject({
  uris: z.array(z.looseObject({ value: z.string(), executable: z.boolean().optional(), extract: z.boolean().optional(), cache: z.boolean().optional(), output_file: z.string().optional() })).optional(),
  environment: environmentSchema.optional(),
  shell: z.boolean().optional(),
  value: z.string().optional(),
  arguments: z.array(z.string()).optional(),
  user: z.string().optional(),
});
export type CommandInfo = z.infer<typeof commandInfoSchema>;

const durationSchema = z.object({ nanoseconds: z.number() });

export const executorInfoSchema = z.looseObject({
  type: z.enum(['DEFAULT', 'CUSTOM', 'UNKNOWN']).optional(),
  executor_id: idSchema,
  framework_id: idSchema.optional(),
  command: commandInfoSchema.optional(),
  resources: z.array(resourceSchema).optional(),
  name: z.string().optional(),
});
export type ExecutorInfo = z.infer<typeof executorInfoSchema>;

// ContainerInfo: what the docker containerizer reads (mesos.proto ContainerInfo / DockerInfo / Volume).
const volumeSchema = z.looseObject({
  container_path: z.string().min(1, 'must be a non-empty path'),
  host_path: z.string().optional(),
  mode: z.enum(['RW', 'RO']).optional(),
  source: z.looseObject({ type: z.string().optional() }).optional(),
});

const portMappingSchema = z.looseObject({
  host_port: z.number().int().min(0).max(65535),
  container_port: z.number().int().min(0).max(65535),
  protocol: z.string().optional(),
});

export const dockerInfoSchema = z.looseObject({
  image: z.string().min(1, 'must name an image'),
  network: z.enum(['HOST', 'BRIDGE', 'NONE', 'USER']).optional(),
  port_mappings: z.array(portMappingSchema).optional(),
  privileged: z.boolean().optional(),
  parameters: z.array(z.object({ key: z.string().min(1), value: z.string() })).optional(),
  force_pull_image: z.boolean().optional(),
  volume_driver: z.string().optional(),
});
export type DockerInfo = z.infer<typeof dockerInfoSchema>;

export const containerInfoSchema = z.looseObject({
  type: z.string().optional(),
  volumes: z.array(volumeSchema).optional(),
  hostname: z.string().optional(),
  docker: dockerInfoSchema.optional(),
  network_infos: z.array(z.looseObject({ name: z.string().optional() })).optional(),
});
export type ContainerInfo = z.infer<typeof containerInfoSchema>;

export const taskInfoSchema = z.looseObject({
  name: z.string(),
  task_id: idSchema,
  agent_id: idSchema,
  resources: z.array(resourceSchema).default([]),
  executor: executorInfoSchema.optional(),
  command: commandInfoSchema.optional(),
  container: containerInfoSchema.optional(),
  health_check: z.looseObject({}).optional(),
  check: z.looseObject({}).optional(),
  kill_policy: z.looseObject({ grace_period: durationSchema.optional() }).optional(),
  data: z.string().optional(),
  labels: labelsSchema.optional(),
  discovery: z.looseObject({}).optional(),
  max_completion_time: durationSchema.optional(),
  limits: z.record(z.string(), z.unknown()).optional(),
});
export type TaskInfo = z.infer<typeof taskInfoSchema>;

const capabilitySchema = z.looseObject({ type: z.string() });

export const frameworkInfoSchema = z.looseObject({
  user: z.string(),
  name: z.string(),
  id: idSchema.optional(),
  failover_timeout: z.number().nonnegative().optional(),
  checkpoint: z.boolean().optional(),
  role: z.string().optional(),
  roles: z.array(z.string()).optional(),
  hostname: z.string().optional(),
  principal: z.string().optional(),
  webui_url: z.string().optional(),
  capabilities: z.array(capabilitySchema).optional(),
  labels: labelsSchema.optional(),
});
export type FrameworkInfo = z.infer<typeof frameworkInfoSchema>;

const filtersSchema = z.object({ refuse_seconds: z.number().optional() }).optional();

const operationSchema = z.looseObject({
  type: z.enum(['UNKNOWN', 'LAUNCH', 'LAUNCH_GROUP', 'RESERVE', 'UNRESERVE', 'CREATE', 'DESTROY', 'GROW_VOLUME', 'SHRINK_VOLUME', 'CREATE_DISK', 'DESTROY_DISK']),
  id: idSchema.optional(),
  launch: z.object({ task_infos: z.array(taskInfoSchema) }).optional(),
  launch_group: z.object({ executor: executorInfoSchema, task_group: z.object({ tasks: z.array(taskInfoSchema) }) }).optional(),
});
export type Operation = z.infer<typeof operationSchema>;

const rolesList = z.array(z.string()).optional();

export const schedulerCallSchema = z.looseObject({
  type: z.enum([
    'UNKNOWN', 'SUBSCRIBE', 'TEARDOWN', 'ACCEPT', 'DECLINE', 'ACCEPT_INVERSE_OFFERS', 'DECLINE_INVERSE_OFFERS', 'REVIVE',
    'KILL', 'SHUTDOWN', 'ACKNOWLEDGE', 'ACKNOWLEDGE_OPERATION_STATUS', 'RECONCILE', 'RECONCILE_OPERATIONS', 'MESSAGE',
    'REQUEST', 'SUPPRESS', 'UPDATE_FRAMEWORK',
  ]),
  framework_id: idSchema.optional(),
  subscribe: z.looseObject({ framework_info: frameworkInfoSchema, suppressed_roles: rolesList }).optional(),
  accept: z.object({ offer_ids: z.array(idSchema), operations: z.array(operationSchema).default([]), filters: filtersSchema }).optional(),
  decline: z.object({ offer_ids: z.array(idSchema), filters: filtersSchema }).optional(),
  accept_inverse_offers: z.looseObject({}).optional(),
  decline_inverse_offers: z.looseObject({}).optional(),
  revive: z.object({ roles: rolesList }).optional(),
  suppress: z.object({ roles: rolesList }).optional(),
  kill: z.object({ task_id: idSchema, agent_id: idSchema.optional(), kill_policy: z.looseObject({ grace_period: durationSchema.optional() }).optional() }).optional(),
  shutdown: z.object({ executor_id: idSchema, agent_id: idSchema }).optional(),
  acknowledge: z.object({ agent_id: idSchema, task_id: idSchema, uuid: z.string().min(1) }).optional(),
  acknowledge_operation_status: z.looseObject({}).optional(),
  reconcile: z.object({ tasks: z.array(z.object({ task_id: idSchema, agent_id: idSchema.optional() })).default([]) }).optional(),
  reconcile_operations: z.looseObject({}).optional(),
  message: z.object({ agent_id: idSchema, executor_id: idSchema, data: z.string() }).optional(),
  request: z.looseObject({}).optional(),
  update_framework: z.looseObject({ framework_info: frameworkInfoSchema, suppressed_roles: rolesList }).optional(),
});
export type SchedulerCall = z.infer<typeof schedulerCallSchema>;

/** One line naming the field that failed, as Mesos' validation messages do. */
export function formatZodError(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`).join('; ');
}

export interface Offer {
  id: ID;
  framework_id: ID;
  agent_id: ID;
  hostname: string;
  url: { scheme: string; address: { hostname: string; ip: string; port: number }; path: string };
  resources: ResourceJSON[];
  attributes: AttributeJSON[];
  executor_ids: ID[];
  allocation_info: { role: string };
}

/** Roles a framework subscribes with: `roles` with MULTI_ROLE, else the legacy `role` (default "*"). */
export function frameworkRoles(info: FrameworkInfo): string[] {
  const multi = (info.capabilities ?? []).some((c) => c.type === 'MULTI_ROLE');
  if (multi && info.roles && info.roles.length > 0) return info.roles;
  return [info.role ?? '*'];
}

export function hasCapability(info: FrameworkInfo, type: string): boolean {
  return (info.capabilities ?? []).some((c) => c.type === type);
}
