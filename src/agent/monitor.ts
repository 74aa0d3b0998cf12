// Mesos' /monitor/statistics entries built from the containerizer's usage readings.
import type { Containerizer } from './containerizer/containerizer.ts';

export interface MonitoredContainer { containerId: string; frameworkId: string; executorId: string; executorName: string; source: string }

export async function buildStatistics(containers: MonitoredContainer[], containerizer: Containerizer): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const c of containers) {
    const statistics = await containerizer.usage(c.containerId);
    if (!statistics) continue;
    out.push({ framework_id: c.frameworkId, executor_id: c.executorId, executor_name: c.executorName, source: c.source, statistics });
  }
  return out;
}
