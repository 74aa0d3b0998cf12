// The default launcher: glibc's posix_spawn called through koffi (FFI). posix_spawn starts the child with
// clone(CLONE_VM | CLONE_VFORK): nothing of the agent's address space is copied, so a launch costs the same from a
// 150 MB agent as from a tiny process, where libuv's fork copies the agent's page tables first (docs/decisions/0165).
//
// The child is not libuv's, so libuv never reaps it. Its end is seen through a pipe: the child holds the write end
// on fd 3 and the agent reads the other end as a stream; end of file means every holder has exited, and the agent
// then reaps the child with waitpid(WNOHANG) for its exact status.
import { closeSync } from 'node:fs';
import net from 'node:net';
import { constants as osConstants } from 'node:os';
import type { LaunchRequest, LaunchedProcess, ProcessEnd, ProcessLauncher } from './launcher.ts';
import { errnoName, lastErrno, libc } from './libc.ts';

// glibc's <spawn.h> flags and <fcntl.h> values (the same on every Linux architecture Node supports).
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const POSIX_SPAWN_SETSID = 0x80;
const O_CLOEXEC = 0o2000000;
const O_RDONLY = 0;
const WNOHANG = 1;
/** The fd on which the child holds the write end of its end-of-life pipe. */
export const EXIT_PIPE_FD = 3;
// Opaque libc structures are passed as zeroed buffers larger than glibc's (posix_spawn_file_actions_t 80 bytes,
// posix_spawnattr_t 336, sigset_t 128 on x86_64 and aarch64).
const FILE_ACTIONS_BYTES = 256;
const ATTR_BYTES = 512;
const SIGSET_BYTES = 128;

// Declared once; a missing library or symbol (musl, glibc < 2.29 without addchdir_np) throws here, and
// createLauncher falls back to child_process.
const c = {
  posixSpawn: libc.func('int posix_spawn(_Out_ int *pid, const char *path, void *fileActions, void *attr, const char **argv, const char **envp)'),
  actionsInit: libc.func('int posix_spawn_file_actions_init(void *fileActions)'),
  actionsDestroy: libc.func('int posix_spawn_file_actions_destroy(void *fileActions)'),
  addOpen: libc.func('int posix_spawn_file_actions_addopen(void *fileActions, int fd, const char *path, int oflag, uint32_t mode)'),
  addDup2: libc.func('int posix_spawn_file_actions_adddup2(void *fileActions, int fd, int newfd)'),
  addChdir: libc.func('int posix_spawn_file_actions_addchdir_np(void *fileActions, const char *path)'),
  attrInit: libc.func('int posix_spawnattr_init(void *attr)'),
  attrDestroy: libc.func('int posix_spawnattr_destroy(void *attr)'),
  attrSetFlags: libc.func('int posix_spawnattr_setflags(void *attr, short flags)'),
  attrSetSigDefault: libc.func('int posix_spawnattr_setsigdefault(void *attr, void *sigset)'),
  attrSetSigMask: libc.func('int posix_spawnattr_setsigmask(void *attr, void *sigset)'),
  sigFillSet: libc.func('int sigfillset(void *sigset)'),
  sigEmptySet: libc.func('int sigemptyset(void *sigset)'),
  pipe2: libc.func('int pipe2(_Out_ int *fds, int flags)'),
  waitpid: libc.func('int waitpid(int pid, _Out_ int *status, int options)'),
};
/** glibc ≥ 2.34: closes every descriptor from n up in the child (a task gets none the agent inherited). */
let addCloseFrom: ((fileActions: Buffer, from: number) => number) | undefined;
try { addCloseFrom = libc.func('int posix_spawn_file_actions_addclosefrom_np(void *fileActions, int from)'); } catch { /* older glibc */ }

const SIGNAL_NAMES = new Map(Object.entries(osConstants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

/** A wait status (as from waitpid) as Node reports a child's end: an exit code, or the signal that ended it. */
export function decodeWaitStatus(status: number): ProcessEnd {
  const signal = status & 0x7f;
  if (signal === 0) return { code: (status >> 8) & 0xff, signal: null };
  return { code: null, signal: SIGNAL_NAMES.get(signal) ?? 'SIGKILL' };
}

// Every spawn gets the same attributes: a new session, default dispositions for every signal (the agent ignores
// SIGPIPE, as Node does; a task must not inherit that) and nothing blocked. glibc itself leaves its two internal
// signals (32 and 33, below SIGRTMIN) ignored in a posix_spawn child; glibc programs reinstall their handlers.
const attr = Buffer.alloc(ATTR_BYTES);
{
  const all = Buffer.alloc(SIGSET_BYTES);
  const none = Buffer.alloc(SIGSET_BYTES);
  c.sigFillSet(all);
  c.sigEmptySet(none);
  if (c.attrInit(attr) !== 0 || c.attrSetSigDefault(attr, all) !== 0 || c.attrSetSigMask(attr, none) !== 0
    || c.attrSetFlags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID) !== 0) {
    c.attrDestroy(attr);
    throw new Error('posix_spawnattr_* failed');
  }
}

export class PosixSpawnLauncher implements ProcessLauncher {
  readonly name = 'posix_spawn';

  async launch(req: LaunchRequest): Promise<LaunchedProcess> {
    const fds = [0, 0];
    if (c.pipe2(fds, O_CLOEXEC) !== 0) throw new Error(`cannot create a pipe: ${lastErrno()}`);
    const [readEnd, writeEnd] = fds as [number, number];
    const actions = Buffer.alloc(FILE_ACTIONS_BYTES);
    const pid = [0];
    let rc: number;
    c.actionsInit(actions);
    try {
      // Descriptors the agent opened are close-on-exec (libuv opens everything so); dup2 clears that flag on the copies.
      c.addOpen(actions, 0, '/dev/null', O_RDONLY, 0);
      c.addDup2(actions, req.stdout, 1);
      c.addDup2(actions, req.stderr, 2);
      c.addDup2(actions, writeEnd, EXIT_PIPE_FD);
      c.addChdir(actions, req.cwd);
      addCloseFrom?.(actions, EXIT_PIPE_FD + 1);
      const envp = Object.entries(req.env).map(([k, v]) => `${k}=${v}`);
      rc = c.posixSpawn(pid, req.file, actions, attr, [req.file, ...req.args, null], [...envp, null]);
    } finally {
      c.actionsDestroy(actions);
      closeSync(writeEnd);
    }
    if (rc !== 0) {
      closeSync(readEnd);
      // glibc reports the child's failed chdir or exec through the shared memory of the vfork.
      throw new Error(`cannot execute '${req.file}': ${errnoName(rc)}`);
    }
    const childPid = pid[0]!;
    return { pid: childPid, exited: endOf(childPid, readEnd) };
  }
}

/** Resolves when the child's end-of-life pipe reaches end of file and the child is reaped. */
function endOf(pid: number, readEnd: number): Promise<ProcessEnd> {
  return new Promise((resolve) => {
    const pipe = new net.Socket({ fd: readEnd, readable: true, writable: false });
    pipe.unref(); // a running task does not keep the agent's event loop alive (as child.unref() does)
    let ended = false;
    const onEnd = () => {
      if (ended) return;
      ended = true;
      pipe.destroy();
      reap(pid, resolve);
    };
    pipe.on('end', onEnd);
    pipe.on('error', onEnd);
    pipe.on('close', onEnd);
    pipe.resume();
  });
}

/**
 * The exiting kernel closes a process's files before it turns into a zombie: right after end of file waitpid may
 * still find it running, so it is asked again shortly (never with a blocking wait on the event loop).
 */
function reap(pid: number, resolve: (end: ProcessEnd) => void, attempt = 0): void {
  const status = [0];
  const r = c.waitpid(pid, status, WNOHANG);
  if (r === pid) return resolve(decodeWaitStatus(status[0]!));
  if (r === 0) {
    // Normally the next check finds it; a process that closed fd 3 itself and went on is checked ever less often.
    setTimeout(() => reap(pid, resolve, attempt + 1), Math.min(1000, 2 ** attempt)).unref();
    return;
  }
  // ECHILD: reaped elsewhere; the status is lost.
  resolve({ code: null, signal: null });
}
