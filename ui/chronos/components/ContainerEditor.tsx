// The job's Docker container: the image, and once one is set its network, volumes and pull policy.
import { CONTAINER_NETWORKS } from '../../../src/chronos/container.ts';
import type { JobForm, VolumeRow } from '../job-form.ts';
import { Field } from './Field.tsx';
import { RowsEditor } from './RowsEditor.tsx';

const NETWORK_LABELS: Record<string, string> = { HOST: 'Host (default)', BRIDGE: 'Bridge', USER: 'User network', NONE: 'None' };

type ContainerFields = Pick<JobForm, 'image' | 'network' | 'networkName' | 'forcePullImage' | 'volumes'>;

export function ContainerEditor({ value, onChange, error }: { value: ContainerFields; onChange(patch: Partial<ContainerFields>): void; error?: string }) {
  const hasImage = value.image.trim() !== '';
  return (
    <fieldset className="grid">
      <legend>Container</legend>
      <Field label="Container image" error={error} hint="Docker image; blank runs the command on the agent's host." wide>
        {(p) => <input {...p} className="mono" placeholder="busybox:1.36" value={value.image} onChange={(e) => onChange({ image: e.target.value })} />}
      </Field>
      {hasImage && (
        <>
          <Field label="Network">
            {(p) => (
              <select {...p} value={value.network} onChange={(e) => onChange({ network: e.target.value })}>
                {CONTAINER_NETWORKS.map((n) => <option key={n} value={n}>{NETWORK_LABELS[n] ?? n}</option>)}
              </select>
            )}
          </Field>
          {value.network === 'USER' && (
            <Field label="Network name" hint="The Docker network the container joins.">
              {(p) => <input {...p} className="mono" value={value.networkName} onChange={(e) => onChange({ networkName: e.target.value })} />}
            </Field>
          )}
          <label className="check field-check"><input type="checkbox" checked={value.forcePullImage} onChange={(e) => onChange({ forcePullImage: e.target.checked })} /> Force pull image</label>
          <div className="wide">
            <RowsEditor<VolumeRow> legend="Volumes" noun="volume" rowClass="volume-row" columns={['Container path', 'Host path', 'Mode']} rows={value.volumes} onChange={(volumes) => onChange({ volumes })}
              blank={() => ({ containerPath: '', hostPath: '', mode: 'RW' })} hint="A host path mounted into the container.">
              {(row, i, set) => (
                <>
                  <input aria-label={`Volume ${i + 1} container path`} placeholder="/data (in the container)" className="mono" value={row.containerPath} onChange={(e) => set({ containerPath: e.target.value })} />
                  <input aria-label={`Volume ${i + 1} host path`} placeholder="/srv/data (on the agent)" className="mono" value={row.hostPath} onChange={(e) => set({ hostPath: e.target.value })} />
                  <select aria-label={`Volume ${i + 1} mode`} value={row.mode} onChange={(e) => set({ mode: e.target.value === 'RO' ? 'RO' : 'RW' })}>
                    <option value="RW">Read-write</option>
                    <option value="RO">Read-only</option>
                  </select>
                </>
              )}
            </RowsEditor>
          </div>
        </>
      )}
    </fieldset>
  );
}
