// The master's state endpoints and an agent's files API, as the operator CLI needs them.
import pino from 'pino';
import { createDetector } from '../../scheduler-client/detector.ts';
import { CliError, cliTls, request } from './http.ts';
import type { Scheme } from '../../security/tls.ts';

export interface LegacyTask {
  id: string; name: string; framework_id: string; slave_id: string; executor_id?: string; state: string;
  resources: Record<string, number | string>; statuses?: { state: string; timestamp: number }[];
}
export interface LegacyAgent {
  id: string; hostname: string; port: number; pid: string; active: boolean; attributes: Record<string, string | number>;
  resources: Record<string, number | string>; used_resources: Record<string, number | string>; offered_resources: Record<string, number | string>;
}
export interface LegacyFramework {
  id: string; name: string; active: boolean; connected?: boolean; tasks: LegacyTask[]; completed_tasks: LegacyTask[]; unreachable_tasks?: LegacyTask[];
  used_resources: Record<string, number | string>;
}
export interface MasterState {
  version: string; trireme_version?: string; hostname: string; pid: string; leader?: string; cluster?: string; start_time?: number; elected_time?: number;
  leader_info?: { hostname: string; port: number };
  slaves: LegacyAgent[]; frameworks: LegacyFramework[]; completed_frameworks: LegacyFramework[];
}
interface AgentExecutor { id: string; source?: string; directory: string; tasks: { id: string }[]; completed_tasks: { id: string }[] }
interface AgentFramework { id: string; executors: AgentExecutor[]; completed_executors: AgentExecutor[] }
export interface AgentState { frameworks: AgentFramework[]; completed_frameworks: AgentFramework[] }

export class MesosClient {
  constructor(private readonly spec: string) {}

  /** The masters' scheme (and so the agents'): written in --master, else https with a CA file, else http. */
  get scheme(): Scheme { return cliTls().schemeOf(this.spec); }

  /** The leading master's base URL: the candidates come from the detector (host:port list, or zk:// when available). */
  async leaderUrl(): Promise<string> {
    let candidates: string[];
    // The CLI prints tables: the detector's own logs (ZooKeeper reconnects) stay silent.
    let detector: ReturnType<typeof createDetector>;
    try { detector = createDetector(this.spec, pino({ level: 'silent' })); } catch (err) { throw new CliError('usage', `--master: ${(err as Error).message}`); }
    try { candidates = await detector.masters(); } finally { detector.close?.(); }
    if (candidates.length === 0) throw new CliError('unreachable', `no leading master found through ${this.spec}`);
    let lastError: unknown;
    for (const c of candidates) {
      try {
        const state = await request<MasterState>(`${this.scheme}://${c}/master/state`);
        if (state.leader && state.leader !== state.pid && state.leader_info) return `${this.scheme}://${state.leader_info.hostname}:${state.leader_info.port}`;
        return `${this.scheme}://${c}`;
      } catch (err) { lastError = err; }
    }
    throw lastError instanceof CliError ? lastError : new CliError('unreachable', `no master answered at ${candidates.join(', ')}`);
  }

  async state(): Promise<MasterState> {
    return request<MasterState>(`${await this.leaderUrl()}/master/state`);
  }

  async agentState(agentUrl: string): Promise<AgentState> {
    return request<AgentState>(`${agentUrl}/state`);
  }

  /** One page of a sandbox file; `offset` in bytes. */
  async readFile(agentUrl: string, path: string, offset: number, length: number): Promise<{ data: string; offset: number }> {
    return request(`${agentUrl}/files/read`, { query: { path, offset, length } });
  }

  /** The size of a file without reading it (Mesos: offset=-1). */
  async fileSize(agentUrl: string, path: string): Promise<number> {
    return (await request<{ offset: number }>(`${agentUrl}/files/read`, { query: { path, offset: -1 } })).offset;
  }
}

/** The agent's address as the master knows it: its pid "slave(1)@host:port", else hostname:port. */
export function agentUrl(agent: LegacyAgent, scheme: Scheme = 'http'): string {
  const m = /@(.+)$/.exec(agent.pid ?? '');
  return `${scheme}://${m ? m[1] : `${agent.hostname}:${agent.port}`}`;
}

/** The sandbox directory of a task on its agent, as the Mesos CLI finds it (executor whose tasks include it). */
export function sandboxOf(state: AgentState, frameworkId: string, taskId: string): string | undefined {
  for (const fw of [...state.frameworks, ...state.completed_frameworks]) {
    if (fw.id !== frameworkId) continue;
    for (const ex of [...fw.executors, ...fw.completed_executors]) {
      if (ex.source === taskId || ex.tasks.some((t) => t.id === taskId) || ex.completed_tasks.some((t) => t.id === taskId)) return ex.directory;
    }
  }
  return undefined;
}
