// The job writes the console makes, through Chronos' own API.
import { api } from '../shared/api.ts';
import { withoutCounters } from './job-form.ts';
import type { Job } from './types.ts';

const enc = encodeURIComponent;
/** Creates or replaces a job: dependent jobs (with parents) go to /dependency, scheduled ones to /iso8601. */
export function saveJob(job: Partial<Job>): Promise<void> {
  const dependent = (job.parents?.length ?? 0) > 0;
  return api<void>(dependent ? '/v1/scheduler/dependency' : '/v1/scheduler/iso8601', { method: 'POST', body: withoutCounters(job) });
}

export const runNow = (name: string) => api<void>(`/v1/scheduler/job/${enc(name)}`, { method: 'PUT' });
export const deleteJob = (name: string) => api<void>(`/v1/scheduler/job/${enc(name)}`, { method: 'DELETE' });
export const setDisabled = (job: Job, disabled: boolean) => saveJob({ ...job, disabled });
