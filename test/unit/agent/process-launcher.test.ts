// The two ways the mesos containerizer starts a task's wrapper (posix_spawn through FFI, Node's child_process) give
// the process the same surroundings: its own session and process group, the requested cwd, environment and output
// files, default signal handling, none of the agent's descriptors, and an exact exit status.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LaunchRequest, ProcessLauncher } from '../../../src/agent/containerizer/launcher.ts';
import { NodeSpawnLauncher } from '../../../src/agent/containerizer/node-spawn-launcher.ts';
import { PosixSpawnLauncher, decodeWaitStatus } from '../../../src/agent/containerizer/posix-spawn-launcher.ts';

const dir = mkdtempSync(join(tmpdir(), 'trireme-launcher-'));
// Launched processes do not hold the event loop open (an agent's tasks must not keep it from exiting): this does.
const keepAlive = setInterval(() => {}, 1000);
after(() => { clearInterval(keepAlive); rmSync(dir, { recursive: true, force: true }); });

/** Running (a zombie waiting for its reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch { return false; }
}

/** Whether one of this process's descriptors is close-on-exec (flags in /proc/self/fdinfo are octal). */
function closeOnExec(fd: number): boolean {
  try { return (Number.parseInt(/flags:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!, 8) & 0o2000000) !== 0; } catch { return true; }
}

/** Runs `script` under /bin/sh with output files in a fresh directory; returns the launch and a reader of the files. */
async function run(launcher: ProcessLauncher, script: string, extra: Partial<LaunchRequest> = {}) {
  const cwd = mkdtempSync(join(dir, 'run-'));
  const stdout = openSync(join(cwd, 'stdout'), 'a');
  const stderr = openSync(join(cwd, 'stderr'), 'a');
  try {
    const launched = await launcher.launch({ file: '/bin/sh', args: ['-c', script], cwd, env: { PATH: '/usr/bin:/bin', ONLY: 'this' }, stdout, stderr, ...extra });
    return { ...launched, cwd, out: () => readFileSync(join(cwd, 'stdout'), 'utf8'), err: () => readFileSync(join(cwd, 'stderr'), 'utf8') };
  } finally {
    closeSync(stdout);
    closeSync(stderr);
  }
}

for (const launcher of [new PosixSpawnLauncher(), new NodeSpawnLauncher()]) {
  describe(`${launcher.name} launcher`, () => {
    it('reports the exit code, or the signal that ended the process', async () => {
      assert.deepEqual(await (await run(launcher, 'exit 7')).exited, { code: 7, signal: null });
      assert.deepEqual(await (await run(launcher, 'exit 0')).exited, { code: 0, signal: null });
      assert.deepEqual(await (await run(launcher, 'kill -TERM $$')).exited, { code: null, signal: 'SIGTERM' });
      assert.deepEqual(await (await run(launcher, 'kill -SEGV $$')).exited, { code: null, signal: 'SIGSEGV' });
    });

    it('runs in the given directory with exactly the given environment, output in the given files', async () => {
      const p = await run(launcher, 'pwd; echo "ONLY=$ONLY HOME=${HOME-unset}"; echo oops >&2');
      await p.exited;
      assert.equal(p.out(), `${p.cwd}\nONLY=this HOME=unset\n`);
      assert.equal(p.err(), 'oops\n');
    });

    it('leads a new session and process group: a signal to the group reaches everything it started', async () => {
      const p = await run(launcher, 'read -r stat < /proc/$$/stat; echo "$stat"; sleep 60 & echo $!; wait');
      for (let i = 0; i < 200 && p.out().split('\n').length < 3; i++) await new Promise((r) => setTimeout(r, 10));
      const [stat, sleeper] = p.out().split('\n');
      const fields = stat!.slice(stat!.lastIndexOf(')') + 2).split(' ');
      assert.equal(Number(fields[2]), p.pid, 'process group id is its pid');
      assert.equal(Number(fields[3]), p.pid, 'session id is its pid');
      process.kill(-p.pid, 'SIGKILL');
      assert.deepEqual(await p.exited, { code: null, signal: 'SIGKILL' });
      for (let i = 0; i < 100 && alive(Number(sleeper)); i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(alive(Number(sleeper)), false, 'the background sleep died with its group');
    });

    it('starts with no signal ignored or blocked (the agent ignores SIGPIPE) and none of the agent\'s descriptors', async () => {
      // Read with builtins before the shell forks anything (dash blocks signals around its forks and waits).
      const p = await run(launcher, 'while read -r l; do case $l in SigBlk*|SigIgn*) echo "$l";; esac; done < /proc/$$/status; ls /proc/$$/fd');
      await p.exited;
      const lines = p.out().trim().split('\n');
      assert.equal(lines[0], 'SigBlk:\t0000000000000000');
      // Signals 1-31: none ignored. (glibc's posix_spawn leaves its internal signals 32 and 33 ignored.)
      assert.equal(Number.parseInt(lines[1]!.split('\t')[1]!, 16) & 0x7fffffff, 0, lines[1]);
      const fds = lines.slice(2).map(Number).sort((a, b) => a - b);
      if (launcher.name === 'posix_spawn') {
        // 0-2 are /dev/null and the output files; 3 is the end-of-life pipe; everything else is closed.
        assert.deepEqual(fds, [0, 1, 2, 3]);
      } else {
        // child_process passes on only what this process inherited without close-on-exec (its parent's business).
        const inherited = readdirSync('/proc/self/fd').map(Number).filter((fd) => fd > 2 && !closeOnExec(fd));
        assert.deepEqual(fds, [0, 1, 2, ...inherited].sort((a, b) => a - b));
      }
    });

    it('refuses a missing executable or working directory, naming the error', async () => {
      await assert.rejects(run(launcher, 'exit 0', { file: join(dir, 'no-such-shell') }), /cannot execute '.*no-such-shell': ENOENT/);
      await assert.rejects(run(launcher, 'exit 0', { cwd: join(dir, 'no-such-dir') }), /ENOENT/);
    });

    it('keeps many concurrent processes apart', async () => {
      const runs = await Promise.all(Array.from({ length: 40 }, (_, i) => run(launcher, `sleep 0.0${i % 10}; exit ${i}`)));
      const ends = await Promise.all(runs.map((r) => r.exited));
      assert.deepEqual(ends.map((e) => e.code), Array.from({ length: 40 }, (_, i) => i));
    });
  });
}

describe('posix_spawn launcher specifics', () => {
  it('reports the end of the process itself, not of children that closed its pipe', async () => {
    const p = await run(new PosixSpawnLauncher(), 'sleep 60 3>&- & echo $!; exit 3');
    assert.deepEqual(await p.exited, { code: 3, signal: null });
    const sleeper = Number(p.out().trim());
    assert.equal(alive(sleeper), true, 'the child that closed fd 3 still runs');
    process.kill(sleeper, 'SIGKILL');
  });

  it('decodes wait statuses as Node does', () => {
    assert.deepEqual(decodeWaitStatus(0), { code: 0, signal: null });
    assert.deepEqual(decodeWaitStatus(3 << 8), { code: 3, signal: null });
    assert.deepEqual(decodeWaitStatus(9), { code: null, signal: 'SIGKILL' });
    assert.deepEqual(decodeWaitStatus(15 | 0x80), { code: null, signal: 'SIGTERM' }, 'core-dump bit ignored');
  });
});
