// TCP connections made from inside another process's network namespace. Mesos' docker executor setns()es into the
// container's net namespace before its HTTP and TCP checks and checks 127.0.0.1:<port>, so a task listening only on
// its loopback, or with no network at all (NONE), can still be checked. A socket keeps the namespace it was created
// in: the agent's thread enters the container's namespace for the socket() call alone and returns at once.
import { closeSync, openSync } from 'node:fs';
import net from 'node:net';
import { lastErrno, libc } from './libc.ts';

const CLONE_NEWNET = 0x40000000;
const AF_INET = 2;
const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;

const setns = libc.func('int setns(int fd, int nstype)');
const socket = libc.func('int socket(int domain, int type, int protocol)');

/** This thread's own network namespace, to come back to (opened on first use, kept). */
let ownNamespace: number | undefined;

/**
 * An unconnected TCP (IPv4) socket in the network namespace of process `pid`: connect it to 127.0.0.1:<port>.
 * Needs root (CAP_SYS_ADMIN); throws with the reason otherwise or when the process is gone.
 */
export function socketInNetworkNamespace(pid: number): net.Socket {
  ownNamespace ??= openSync('/proc/thread-self/ns/net', 'r');
  let target: number;
  try { target = openSync(`/proc/${pid}/ns/net`, 'r'); } catch (err) {
    throw new Error(`cannot open the network namespace of process ${pid}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let fd: number;
  try {
    if (setns(target, CLONE_NEWNET) !== 0) throw new Error(`cannot enter the network namespace of process ${pid}: ${lastErrno()}`);
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const socketError = fd < 0 ? lastErrno() : '';
    if (setns(ownNamespace, CLONE_NEWNET) !== 0) {
      // Every socket this thread made from now on would be the container's: the agent must not go on like this.
      const reason = lastErrno();
      setImmediate(() => { throw new Error(`cannot return to the agent's network namespace: ${reason}`); });
    }
    if (fd < 0) throw new Error(`cannot create a socket in the network namespace of process ${pid}: ${socketError}`);
  } finally {
    closeSync(target);
  }
  // manualStart: Node's own option for sockets it is handed (child_process stdio) — do not start reading before the
  // caller connects; reading an unconnected socket fails with ENOTCONN. connect() starts reading once connected.
  return new net.Socket({ fd, readable: true, writable: true, manualStart: true } as net.SocketConstructorOpts);
}
