// The create/edit form's fields, section by section, each showing the API's errors for it.
import {
  CONSTRAINT_OPERATORS, DOCKER_NETWORKS, HEALTH_PROTOCOLS, emptyHealthCheck, emptyPortDefinition, emptyPortMapping, emptyVolume,
  type AppForm, type KeyValueRow,
} from '../lib/appForm.ts';
import { CheckField, RowsEditor, SelectField, TextAreaField, TextField, type Errors } from './fields.tsx';

type Set = (patch: Partial<AppForm>) => void;

function KeyValues({ title, rows, onChange, errors, keyLabel }: { title: string; rows: KeyValueRow[]; onChange(r: KeyValueRow[]): void; errors?: string[]; keyLabel: string }) {
  return (
    <RowsEditor title={title} rows={rows} onChange={onChange} newRow={() => ({ key: '', value: '' })} addLabel={`Add ${title === 'Labels' ? 'label' : 'variable'}`} errors={errors}
      render={(r, _i, update) => (
        <>
          <TextField label={keyLabel} value={r.key} mono onChange={(key) => update({ key })} />
          <TextField label="Value" value={r.value} mono onChange={(value) => update({ value })} />
        </>
      )} />
  );
}

export function AppFormFields({ form, set, errors, editing }: { form: AppForm; set: Set; errors: Errors; editing: boolean }) {
  const docker = form.containerType === 'DOCKER';
  const bridged = docker && (form.dockerNetwork === 'BRIDGE' || form.dockerNetwork === 'USER');
  return (
    <>
      <section className="form-section" aria-labelledby="sec-general">
        <h2 id="sec-general">General</h2>
        <div className="grid">
          <TextField label="ID" name="id" value={form.id} mono readOnly={editing} placeholder="/group/app" onChange={(id) => set({ id })} errors={errors('id')} />
          <TextField label="Instances" name="instances" type="number" min="0" value={form.instances} onChange={(instances) => set({ instances })} errors={errors('instances')} />
          <TextField label="CPUs" name="cpus" type="number" step="any" value={form.cpus} onChange={(cpus) => set({ cpus })} errors={errors('cpus')} />
          <TextField label="Memory (MB)" name="mem" type="number" step="any" value={form.mem} onChange={(mem) => set({ mem })} errors={errors('mem')} />
          <TextField label="Disk (MB)" name="disk" type="number" step="any" value={form.disk} onChange={(disk) => set({ disk })} errors={errors('disk')} />
        </div>
        <TextAreaField label="Command" name="cmd" value={form.cmd} placeholder="python3 -m http.server $PORT --bind $HOST" onChange={(cmd) => set({ cmd })} errors={errors('cmd')} />
      </section>

      <section className="form-section" aria-labelledby="sec-container">
        <h2 id="sec-container">Container</h2>
        <div className="grid">
          <SelectField label="Container" value={form.containerType} onChange={(v) => set({ containerType: v as AppForm['containerType'] })} errors={errors('container.type') ?? errors('container')}
            options={[['', 'None (command on the agent)'], ['MESOS', 'Mesos containerizer'], ['DOCKER', 'Docker']]} />
          {docker && <TextField label="Docker image" name="image" mono value={form.dockerImage} placeholder="nginx:1.27" onChange={(dockerImage) => set({ dockerImage })} errors={errors('container.docker.image') ?? errors('container.docker')} />}
          {docker && <SelectField label="Network" value={form.dockerNetwork} onChange={(dockerNetwork) => set({ dockerNetwork })} errors={errors('container.docker.network')}
            options={[['', 'Default (HOST)'], ...DOCKER_NETWORKS.map((n): [string, string] => [n, n])]} />}
        </div>
        {docker && (
          <div className="checks">
            <CheckField label="Privileged" checked={form.dockerPrivileged} onChange={(dockerPrivileged) => set({ dockerPrivileged })} />
            <CheckField label="Always pull the image" checked={form.dockerForcePullImage} onChange={(dockerForcePullImage) => set({ dockerForcePullImage })} />
          </div>
        )}
        {form.containerType && (
          <>
            <RowsEditor title="Port mappings" rows={form.portMappings} onChange={(portMappings) => set({ portMappings })} newRow={emptyPortMapping} addLabel="Add port mapping"
              errors={errors('container.portMappings')} hint="Host port 0 = any free port; service port 0 = Marathon assigns one."
              render={(m, i, update) => (
                <>
                  <TextField label="Container port" type="number" value={m.containerPort} onChange={(containerPort) => update({ containerPort })} errors={errors(`container.portMappings.${i}.containerPort`) ?? errors(`container.portMappings.${i}`)} />
                  <TextField label="Host port" type="number" value={m.hostPort} onChange={(hostPort) => update({ hostPort })} errors={errors(`container.portMappings.${i}.hostPort`)} />
                  <TextField label="Service port" type="number" value={m.servicePort} onChange={(servicePort) => update({ servicePort })} errors={errors(`container.portMappings.${i}.servicePort`)} />
                  <SelectField label="Protocol" value={m.protocol} onChange={(protocol) => update({ protocol })} options={[['tcp', 'tcp'], ['udp', 'udp'], ['udp,tcp', 'udp,tcp']]} />
                  <TextField label="Name" value={m.name} onChange={(name) => update({ name })} errors={errors(`container.portMappings.${i}.name`)} />
                </>
              )} />
            <RowsEditor title="Volumes" rows={form.volumes} onChange={(volumes) => set({ volumes })} newRow={emptyVolume} addLabel="Add volume" errors={errors('container.volumes')}
              render={(v, i, update) => (
                <>
                  <TextField label="Container path" mono value={v.containerPath} onChange={(containerPath) => update({ containerPath })} errors={errors(`container.volumes.${i}.containerPath`) ?? errors(`container.volumes.${i}`)} />
                  <TextField label="Host path" mono value={v.hostPath} onChange={(hostPath) => update({ hostPath })} errors={errors(`container.volumes.${i}.hostPath`)} />
                  <SelectField label="Mode" value={v.mode} onChange={(mode) => update({ mode })} options={[['RW', 'read-write'], ['RO', 'read-only']]} errors={errors(`container.volumes.${i}.mode`)} />
                </>
              )} />
          </>
        )}
      </section>

      <section className="form-section" aria-labelledby="sec-ports">
        <h2 id="sec-ports">Ports</h2>
        {bridged ? <p className="muted">With a {form.dockerNetwork} network the ports are the container's port mappings above.</p> : (
          <>
            <RowsEditor title="Port definitions" rows={form.portDefinitions} onChange={(portDefinitions) => set({ portDefinitions })} newRow={emptyPortDefinition} addLabel="Add port"
              errors={errors('portDefinitions')} hint="Each port gives the task a host port ($PORT0, $PORT1…); port 0 = Marathon picks the service port."
              render={(p, i, update) => (
                <>
                  <TextField label="Port" type="number" value={p.port} onChange={(port) => update({ port })} errors={errors(`portDefinitions.${i}.port`) ?? errors(`portDefinitions.${i}`)} />
                  <SelectField label="Protocol" value={p.protocol} onChange={(protocol) => update({ protocol })} options={[['tcp', 'tcp'], ['udp', 'udp'], ['udp,tcp', 'udp,tcp']]} errors={errors(`portDefinitions.${i}.protocol`)} />
                  <TextField label="Name" value={p.name} onChange={(name) => update({ name })} errors={errors(`portDefinitions.${i}.name`)} />
                </>
              )} />
            <CheckField label="Require these exact host ports (requirePorts)" checked={form.requirePorts} onChange={(requirePorts) => set({ requirePorts })} />
          </>
        )}
      </section>

      <section className="form-section" aria-labelledby="sec-env">
        <h2 id="sec-env">Environment and labels</h2>
        <KeyValues title="Environment variables" keyLabel="Name" rows={form.env} onChange={(env) => set({ env })} errors={errors('env')} />
        <KeyValues title="Labels" keyLabel="Key" rows={form.labels} onChange={(labels) => set({ labels })} errors={errors('labels')} />
      </section>

      <section className="form-section" aria-labelledby="sec-health">
        <h2 id="sec-health">Health</h2>
        <RowsEditor title="Health checks" rows={form.healthChecks} onChange={(healthChecks) => set({ healthChecks })} newRow={emptyHealthCheck} addLabel="Add health check" errors={errors('healthChecks')}
          render={(h, i, update) => {
            const e = (k: string) => errors(`healthChecks.${i}.${k}`);
            return (
              <>
                <SelectField label="Protocol" value={h.protocol} onChange={(protocol) => update({ protocol })} options={HEALTH_PROTOCOLS.map((p) => [p, p])} errors={e('protocol') ?? errors(`healthChecks.${i}`)} />
                {h.protocol === 'COMMAND'
                  ? <TextField label="Command" mono value={h.command} onChange={(command) => update({ command })} errors={e('command')} />
                  : <>
                    {/HTTP/.test(h.protocol) && <TextField label="Path" mono value={h.path} onChange={(path) => update({ path })} errors={e('path')} />}
                    <TextField label="Port index" type="number" value={h.portIndex} onChange={(portIndex) => update({ portIndex })} errors={e('portIndex')} />
                  </>}
                <TextField label="Grace (s)" type="number" value={h.gracePeriodSeconds} onChange={(gracePeriodSeconds) => update({ gracePeriodSeconds })} errors={e('gracePeriodSeconds')} />
                <TextField label="Interval (s)" type="number" value={h.intervalSeconds} onChange={(intervalSeconds) => update({ intervalSeconds })} errors={e('intervalSeconds')} />
                <TextField label="Timeout (s)" type="number" value={h.timeoutSeconds} onChange={(timeoutSeconds) => update({ timeoutSeconds })} errors={e('timeoutSeconds')} />
                <TextField label="Max failures" type="number" value={h.maxConsecutiveFailures} onChange={(maxConsecutiveFailures) => update({ maxConsecutiveFailures })} errors={e('maxConsecutiveFailures')} />
              </>
            );
          }} />
      </section>

      <section className="form-section" aria-labelledby="sec-constraints">
        <h2 id="sec-constraints">Placement</h2>
        <RowsEditor title="Constraints" rows={form.constraints} onChange={(constraints) => set({ constraints })} newRow={() => ({ field: 'hostname', operator: 'UNIQUE', value: '' })}
          addLabel="Add constraint" errors={errors('constraints')} hint="Field is hostname or an agent attribute, e.g. hostname UNIQUE, rack CLUSTER r1, zone GROUP_BY 3."
          render={(c, i, update) => (
            <>
              <TextField label="Field" mono value={c.field} onChange={(field) => update({ field })} errors={errors(`constraints.${i}`)} />
              <SelectField label="Operator" value={c.operator} onChange={(operator) => update({ operator })} options={CONSTRAINT_OPERATORS.map((o) => [o, o])} />
              <TextField label="Value" mono value={c.value} onChange={(value) => update({ value })} />
            </>
          )} />
      </section>
    </>
  );
}
