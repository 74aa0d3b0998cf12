// cpus, mem, disk and ports of an agent, framework or the cluster as bars (used / offered / free of total).
import { rangesSize, type Resources } from '../../../src/common/resources.ts';
import { ResourceBar } from '../../shared/ResourceBar.tsx';
import { formatCpus, formatMem } from '../../shared/format.ts';

export interface ResourceNumbers { total: number; used: number; offered?: number }

export function ResourceBars({ cpus, mem, disk, ports }: { cpus: ResourceNumbers; mem: ResourceNumbers; disk: ResourceNumbers; ports?: ResourceNumbers }) {
  return (
    <div className="resource-bars">
      <ResourceBar label="CPUs" {...cpus} format={formatCpus} />
      <ResourceBar label="Mem" {...mem} format={formatMem} />
      <ResourceBar label="Disk" {...disk} format={formatMem} />
      {ports && <ResourceBar label="Ports" {...ports} />}
    </div>
  );
}

/** The numbers of one resource name from total, used and (optionally) offered Resources. */
export function numbers(name: string, total: Resources, used: Resources, offered?: Resources): ResourceNumbers {
  const measure = (r: Resources): number => (name === 'ports' ? rangesSize(r.ranges('ports')) : r.scalar(name));
  return { total: measure(total), used: measure(used), ...(offered ? { offered: measure(offered) } : {}) };
}
