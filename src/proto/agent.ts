// The agent <-> master protocol (internal, versioned). Built like the scheduler API: the agent POSTs
// SUBSCRIBE to /api/v1/agent and holds the RecordIO event stream the master answers with; every
// other call is a separate POST carrying `agent_id` and the `Mesos-Stream-Id` header.
import { z } from 'zod';
import {
  frameworkInfoSchema, resourceSchema, taskInfoSchema, executorInfoSchema,
  type FrameworkInfo, type TaskInfo, type TaskStatus, type MasterInfo, type ExecutorInfo, type TaskState,
} from './mesos.ts';

export const AGENT_PROTOCOL_VERSION = 1;
export const AGENT_API_PATH = '/api/v1/agent';

const idSchema = z.object({ value: z.string().min(1) });

const attributeSchema = z.looseObject({ name: z.string(), type: z.enum(['SCALAR', 'RANGES', 'SET', 'TEXT']) });

/** A task the agent reports when (re-)registering. */
const reportedTaskSchema = z.object({
  framework_id: idSchema,
  task: taskInfoSchema,
  state: z.enum(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_UNREACHABLE', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN']),
});
export type ReportedTask = { framework_id: { value: string }; task: TaskInfo; state: TaskState };

const taskStatusSchema = z.looseObject({
  task_id: idSchema,
  state: reportedTaskSchema.shape.state,
  uuid: z.string().min(1),
  message: z.string().optional(),
  source: z.string().optional(),
  reason: z.string().optional(),
  timestamp: z.number().optional(),
});

export const agentCallSchema = z.looseObject({
  type: z.enum(['SUBSCRIBE', 'UPDATE', 'PONG', 'EXECUTOR_EXITED']),
  version: z.number().int().optional(),
  agent_id: idSchema.optional(),
  subscribe: z.object({
    agent_info: z.looseObject({
      hostname: z.string().min(1),
      port: z.number().int().min(0).max(65535),
      resources: z.array(resourceSchema),
      attributes: z.array(attributeSchema).default([]),
      // Agent ids become registry keys: no slashes or whitespace.
      id: z.object({ value: z.string().regex(/^[^/\s]+$/, 'must be non-empty without slashes or whitespace') }).optional(),
    }),
    tasks: z.array(reportedTaskSchema).default([]),
    frameworks: z.array(frameworkInfoSchema).default([]),
  }).optional(),
  update: z.object({ framework_id: idSchema, status: taskStatusSchema }).optional(),
  /** An executor ended (for a command task: after its task's terminal update); Mesos' ExitedExecutorMessage. */
  executor_exited: z.object({ framework_id: idSchema, executor_id: idSchema, status: z.number().int() }).optional(),
}).check((ctx) => {
  const call = ctx.value;
  const field = call.type.toLowerCase() as 'subscribe' | 'update' | 'executor_exited';
  if (call.type !== 'PONG' && !call[field]) ctx.issues.push({ code: 'custom', message: `'${field}' is required for ${call.type}`, input: call, path: [field] });
  if (call.type !== 'SUBSCRIBE' && !call.agent_id) ctx.issues.push({ code: 'custom', message: `'agent_id' is required for ${call.type}`, input: call, path: ['agent_id'] });
});
export type AgentCall = z.infer<typeof agentCallSchema>;

export type AgentEvent =
  | { type: 'REGISTERED'; registered: { agent_id: { value: string }; master_info: MasterInfo; ping_interval_seconds: number } }
  | { type: 'RUN_TASK'; run_task: { framework_info: FrameworkInfo; framework_id: { value: string }; task: TaskInfo } }
  | { type: 'RUN_TASK_GROUP'; run_task_group: { framework_info: FrameworkInfo; framework_id: { value: string }; executor: ExecutorInfo; tasks: TaskInfo[] } }
  | { type: 'KILL_TASK'; kill_task: { framework_id: { value: string }; task_id: { value: string }; kill_policy?: { grace_period?: { nanoseconds: number } } } }
  | { type: 'ACKNOWLEDGE'; acknowledge: { framework_id: { value: string }; task_id: { value: string }; uuid: string } }
  | { type: 'SHUTDOWN_FRAMEWORK'; shutdown_framework: { framework_id: { value: string } } }
  /** A scheduler's MESSAGE call for one of the agent's executors (Mesos' FrameworkToExecutorMessage). */
  | { type: 'FRAMEWORK_MESSAGE'; framework_message: { framework_id: { value: string }; executor_id: { value: string }; data: string } }
  | { type: 'PING' }
  | { type: 'SHUTDOWN'; shutdown: { message: string } }
  | { type: 'ERROR'; error: { message: string } };

export type { TaskStatus };
export { executorInfoSchema };
