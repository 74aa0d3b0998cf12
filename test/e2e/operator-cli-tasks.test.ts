// `trireme task logs --tail` and `trireme task kill` on a Chronos task, as child processes against one real
// `trireme dev` cluster (its own file: the operator-cli file is long already and each file has a time budget).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, killSandboxProcesses, oneLine, runCli, startRole, tempDir, type RoleProcess } from '../helpers/processes.ts';

let dev: RoleProcess;
let dir: { path: string; remove(): void };
let endpoints: string[] = [];

// Generous: a CLI run on a loaded shared machine can take many seconds just to start.
const cli = (args: string[], timeoutMs = 60_000) => runCli([...args, ...endpoints], timeoutMs);

function file(name: string, value: unknown): string {
  const path = join(dir.path, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('operator CLI: task logs --tail, task kill on Chronos tasks', () => {
  before(async () => {
    dir = tempDir('trireme-opcli-tasks-');
    dev = await startRole(['dev', '--data-dir', join(dir.path, 'data'), '--master-port', '0', '--agent-port', '0', '--marathon-port', '0', '--chronos-port', '0', '--agents', '1'], 'master listening');
    await eventually(() => dev.output().includes('Trireme is running'), 60_000);
    const url = (role: string) => new RegExp(`${role} +http://(127\\.0\\.0\\.1:\\d+)`).exec(dev.output())![1]!;
    endpoints = ['--master', url('master'), '--marathon', url('marathon'), '--chronos', url('chronos')];
    await eventually(async () => (await cli(['cluster', 'status', '--json'])).stdout.includes('"chronos"'), 60_000, 300);
  });
  after(async () => {
    await dev?.stop();
    if (dir) killSandboxProcesses(dir.path);
    dir?.remove();
  });

  it('task logs --tail N prints the last N lines; task kill on a Chronos task kills it through its job', async () => {
    const nap = file('nap.json', { name: 'nap', command: 'for i in 1 2 3 4 5; do echo line-$i; done; exec sleep 1000', schedule: 'R/2099-01-01T00:00:00Z/P1D', cpus: 0.1, mem: 32 });
    assert.equal((await cli(['job', 'create', '-f', nap])).code, 0);
    assert.equal((await cli(['job', 'run', 'nap'])).code, 0);
    const taskId = await eventually(async () => {
      const tasks = JSON.parse((await cli(['task', 'list', '--json'])).stdout) as { id: string; state: string }[];
      return tasks.find((t) => t.id.includes(':nap:') && t.state === 'TASK_RUNNING')?.id;
    }, 30_000, 100);
    await eventually(async () => (await cli(['task', 'logs', taskId])).stdout.includes('line-5'), 10_000, 100);

    const tail = await cli(['task', 'logs', taskId, '--tail', '2']);
    assert.equal(tail.code, 0, tail.stderr);
    assert.equal(tail.stdout, 'line-4\nline-5\n');
    assert.equal((await cli(['task', 'logs', taskId, '--tail', '50'])).stdout, 'line-1\nline-2\nline-3\nline-4\nline-5\n');
    const badTail = await cli(['task', 'logs', taskId, '--tail', 'some']);
    assert.equal(badTail.code, 1);
    assert.match(oneLine(badTail.stderr, { ignoreBlank: true }), /--tail.*'some' is not a non-negative integer/);

    const killed = await cli(['task', 'kill', taskId]);
    assert.equal(killed.code, 0, killed.stderr);
    assert.equal(killed.stdout, `task ${taskId}: killed (Chronos job nap; it had no other active task)\n`);
    await eventually(async () => {
      const tasks = JSON.parse((await cli(['task', 'list', '--all', '--json'])).stdout) as { id: string; state: string }[];
      return tasks.find((t) => t.id === taskId)?.state === 'TASK_KILLED';
    }, 30_000, 200);
    // Killed already: nothing active to kill, said in one line.
    const again = await cli(['task', 'kill', taskId]);
    assert.equal(again.code, 2);
    assert.equal(oneLine(again.stderr, { ignoreBlank: true }), `trireme: task '${taskId}' is not an active task of Chronos job 'nap' (it may have finished)`);
    assert.equal((await cli(['job', 'delete', 'nap'])).code, 0);
  });
});
