// Commands run without a shell (Mesos CommandInfo shell=false, Marathon `args`, Chronos `shell: false`) get their
// arguments and environment verbatim: shell syntax in them arrives as text and never runs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, getJson, startCluster, tempDir, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler, commandTask, launch } from '../helpers/raw-scheduler.ts';
import { api, startMarathonRole } from '../helpers/marathon.ts';
import { isoIn, postJob, startChronosProcess } from '../helpers/chronos.ts';

const marks = tempDir('trireme-injection-');
/** Shell syntax that would create a file in `marks` if any shell interpreted it. */
const payloads = (tag: string) => [
  `; touch ${marks.path}/${tag}-semicolon`, `$(touch ${marks.path}/${tag}-subst)`, `\`touch ${marks.path}/${tag}-backtick\``,
  `| touch ${marks.path}/${tag}-pipe`, `&& touch ${marks.path}/${tag}-and`,
];

/** Every sandbox stdout on the agent, by executor id. */
async function stdouts(agentUrl: string): Promise<Map<string, string>> {
  const state = await getJson(`${agentUrl}/state`);
  const out = new Map<string, string>();
  for (const fw of [...state.frameworks, ...(state.completed_frameworks ?? [])]) {
    for (const ex of [...fw.executors, ...fw.completed_executors]) {
      const res = await fetch(`${agentUrl}/files/read?path=${encodeURIComponent(`${ex.directory}/stdout`)}`);
      if (res.ok) out.set(ex.id, ((await res.json()) as { data: string }).data);
    }
  }
  return out;
}

describe('no shell injection through arguments and environment', () => {
  const dir = tempDir();
  let cluster: TestCluster;
  let marathon: RoleProcess;
  let chronos: RoleProcess;
  before(async () => {
    cluster = await startCluster({ agents: 1, agentIpBase: 107 });
    marathon = await startMarathonRole(cluster.masterAddress, dir.path);
    chronos = await startChronosProcess(cluster.masterAddress, join(dir.path, 'chronos'));
  });
  after(async () => {
    for (const id of ['injection-args', 'injection-env']) await api(marathon.url, 'DELETE', `/v2/apps/${id}?force=true`).catch(() => undefined);
    await marathon?.stop(); await chronos?.stop(); await cluster?.stop(); dir.remove(); marks.remove();
  });

  it('a Mesos CommandInfo with shell=false gets its arguments and environment values verbatim', async () => {
    const s = new RawScheduler(cluster.masterAddress);
    await s.subscribe({ user: process.env.USER ?? 'root', name: 'injection' });
    s.autoAck();
    const [offer] = await s.nextOffers();
    const args = payloads('mesos');
    const printArgs = { ...commandTask('argv', offer.agent_id.value, ''), command: { shell: false, value: '/usr/bin/printf', arguments: ['printf', '%s\\n', ...args] } };
    const printEnv = { ...commandTask('env', offer.agent_id.value, ''), command: { shell: false, value: '/usr/bin/env', arguments: ['env'], environment: { variables: [{ name: 'INJECTED', value: args[1] }] } } };
    assert.equal((await s.call(launch([offer.id.value], [printArgs, printEnv]))).status, 202);
    await s.waitForUpdate('argv', 'TASK_FINISHED');
    await s.waitForUpdate('env', 'TASK_FINISHED');
    const out = await stdouts(cluster.agents[0]!.url);
    assert.equal(out.get('argv'), `${args.join('\n')}\n`);
    assert.ok(out.get('env')!.split('\n').includes(`INJECTED=${args[1]}`), out.get('env'));
    s.close();
  });

  it('a Marathon app with `args` runs them without a shell, env values verbatim', async () => {
    const args = payloads('marathon');
    const printArgs = await api(marathon.url, 'POST', '/v2/apps', { id: '/injection-args', args: ['/usr/bin/printf', '%s\\n', ...args], instances: 1, cpus: 0.1, mem: 32 });
    assert.equal(printArgs.status, 201, printArgs.text);
    const printEnv = await api(marathon.url, 'POST', '/v2/apps', { id: '/injection-env', args: ['/usr/bin/env'], env: { INJECTED: args[1] }, instances: 1, cpus: 0.1, mem: 32 });
    assert.equal(printEnv.status, 201, printEnv.text);
    const output = async (prefix: string) => [...(await stdouts(cluster.agents[0]!.url)).entries()].find(([id, t]) => id.startsWith(prefix) && t !== '')?.[1];
    assert.equal(await eventually(() => output('injection-args')), `${args.join('\n')}\n`);
    assert.ok((await eventually(() => output('injection-env'))).split('\n').includes(`INJECTED=${args[1]}`));
  });

  it('a Chronos job with shell: false passes its arguments without a shell', async () => {
    // Two payloads only: Chronos task ids carry the run's arguments, and the sandbox directory is named after the id.
    // The run is found by its Chronos task id (ct:<due>:<attempt>:<job>:<args>), not by its output: the Marathon
    // task's environment dump also contains "chronos-" when the checkout's path does.
    const args = payloads('chronos').slice(0, 2);
    await postJob(chronos.url, { name: 'injection', command: '/bin/echo', shell: false, arguments: args, schedule: `R1/${isoIn(500)}/PT1M`, cpus: 0.1, mem: 32 });
    const text = await eventually(async () => [...(await stdouts(cluster.agents[0]!.url)).entries()].find(([id]) => id.startsWith('ct:') && id.includes(':injection:'))?.[1], 30_000);
    assert.equal(text.trim(), args.join(' '));
  });

  it('no shell ever ran the injected commands', () => {
    assert.deepEqual(readdirSync(marks.path), []);
    assert.ok(!existsSync(`${marks.path}/mesos-subst`));
  });
});
