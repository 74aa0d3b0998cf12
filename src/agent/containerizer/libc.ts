// glibc through koffi (FFI), for the few system calls Node does not offer: posix_spawn (posix-spawn-launcher.ts) and
// setns (netns-socket.ts). Importing this module throws where glibc cannot be loaded; callers fall back.
import koffi from 'koffi';
import { constants as osConstants } from 'node:os';

export const libc = koffi.load('libc.so.6');

const ERRNO_NAMES = new Map(Object.entries(osConstants.errno).map(([name, n]) => [n, name]));

/** ENOENT for 2, and so on. */
export const errnoName = (n: number): string => ERRNO_NAMES.get(n) ?? `errno ${n}`;

/** The errno left by the last libc call on this thread, by name. */
export const lastErrno = (): string => errnoName(koffi.errno());
