// Chronos' /v1/scheduler REST API, as the operator CLI needs it. Chronos answers an unknown job with 400 "not found".
import { baseUrl, request } from './http.ts';

export interface ChronosJob {
  name: string; command?: string; schedule?: string; parents?: string[]; disabled?: boolean;
  lastSuccess?: string; lastError?: string; successCount?: number; errorCount?: number; owner?: string;
  [field: string]: unknown;
}
export interface JobSummary { name: string; status: string; state: string; schedule: string; parents: string[]; disabled: boolean }

export class ChronosClient {
  readonly url: string;
  constructor(address: string) { this.url = `${baseUrl(address)}/v1/scheduler`; }

  async jobs(): Promise<ChronosJob[]> { return request<ChronosJob[]>(`${this.url}/jobs`); }
  async summary(): Promise<JobSummary[]> { return (await request<{ jobs: JobSummary[] }>(`${this.url}/jobs/summary`)).jobs; }
  async job(name: string): Promise<ChronosJob> { return request<ChronosJob>(`${this.url}/job/${encodeURIComponent(name)}`, { notFoundOn400: true }); }
  async stats(name: string): Promise<{ taskStatHistory: Record<string, unknown>[] }> {
    return request(`${this.url}/job/stat/${encodeURIComponent(name)}`, { notFoundOn400: true });
  }
  /** Dependent jobs (with `parents`) go to /dependency, scheduled ones to /iso8601 — as Chronos requires. */
  async save(job: Record<string, unknown>): Promise<'dependency' | 'iso8601'> {
    const kind = Array.isArray(job.parents) && job.parents.length > 0 ? 'dependency' : 'iso8601';
    await request(`${this.url}/${kind}`, { method: 'POST', body: job });
    return kind;
  }
  async run(name: string, args?: string): Promise<void> {
    await request(`${this.url}/job/${encodeURIComponent(name)}`, { method: 'PUT', query: { arguments: args }, notFoundOn400: true });
  }
  async remove(name: string): Promise<void> {
    await request(`${this.url}/job/${encodeURIComponent(name)}`, { method: 'DELETE', notFoundOn400: true });
  }
  /** Ids of the job's queued and running tasks (the activeTasks extension of /job/stat). */
  async activeTasks(name: string): Promise<string[]> {
    const stat = await request<{ activeTasks?: { taskId: string }[] }>(`${this.url}/job/stat/${encodeURIComponent(name)}`, { notFoundOn400: true });
    return (stat.activeTasks ?? []).map((t) => t.taskId);
  }
  /** Kills every running task of the job and drops its queued ones (Chronos has no per-task kill). */
  async killJobTasks(name: string): Promise<void> {
    await request(`${this.url}/task/kill/${encodeURIComponent(name)}`, { method: 'DELETE', notFoundOn400: true });
  }
  async graphCsv(): Promise<string> { return request<string>(`${this.url}/graph/csv`); }
  async graphDot(): Promise<string> { return request<string>(`${this.url}/graph/dot`); }
}
