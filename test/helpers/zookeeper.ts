// A real ZooKeeper ensemble for tests: 3 nodes on free loopback ports in a temp dir, removed on close, so test
// files can run ensembles side by side. ZooKeeper is installed on demand (scripts/zookeeper.sh); when that is
// impossible the test fails (never skips), so CI cannot pass without it.
import { killAllLocalNodes, ZooKeeperEnsemble as LocalEnsemble, type EnsembleOptions } from '../../src/state/zookeeper-ensemble.ts';
import { tempDir } from './processes.ts';

// The test runner ends a timed-out test file with a signal, which skips 'exit' handlers: stop the JVMs first.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAllLocalNodes();
    process.kill(process.pid, signal);
  });
}

export { ensureZooKeeper, fourLetter, freePorts } from '../../src/state/zookeeper-ensemble.ts';

export type ZooKeeperEnsemble = LocalEnsemble;

export const ZooKeeperEnsemble = {
  start(opts: Omit<EnsembleOptions, 'dir' | 'onClose' | 'clientPortBase'> = {}): Promise<LocalEnsemble> {
    const dir = tempDir('trireme-zk-');
    return LocalEnsemble.start({ ...opts, dir: dir.path, onClose: () => dir.remove() });
  },
};
