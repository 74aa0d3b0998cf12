// The real Docker Engine for tests: a private dockerd started (or reused) by scripts/docker.sh, which also
// installs Debian's docker.io when missing and builds the local busybox test image (no registry is reachable).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import Docker from 'dockerode';
import { REPO } from './processes.ts';

export const TEST_IMAGE = 'trireme-test/busybox:local';

export interface TestDocker {
  /** DOCKER_HOST form: unix:///path/docker.sock */
  host: string;
  socketPath: string;
  docker: Docker;
  /** Removes (force) every container labelled with one of these agent ids. */
  removeAgentContainers(agentIds: string[]): Promise<void>;
}

let started: Promise<TestDocker> | undefined;

async function start(): Promise<TestDocker> {
  // TRIREME_DOCKER_DIR is set per `npm test` run by scripts/run-tests.mjs, which stops that daemon afterwards.
  const { stdout } = await promisify(execFile)(join(REPO, 'scripts', 'docker.sh'), ['start'], { env: process.env, timeout: 600_000 });
  const host = /DOCKER_HOST=(\S+)/.exec(stdout)?.[1];
  if (!host) throw new Error(`scripts/docker.sh start did not print DOCKER_HOST:\n${stdout}`);
  const socketPath = host.replace(/^unix:\/\//, '');
  const docker = new Docker({ socketPath });
  await docker.getImage(TEST_IMAGE).inspect();
  return {
    host, socketPath, docker,
    async removeAgentContainers(agentIds) {
      for (const agentId of agentIds) {
        const list = await docker.listContainers({ all: true, filters: { label: [`trireme.agent_id=${agentId}`] } });
        await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
      }
    },
  };
}

/**
 * The test Docker daemon, started once per test process. Outside CI a machine where it cannot be provided gives
 * `skip` (a reason to pass to node:test); under CI=true that is an error, so the suite fails instead of skipping.
 */
export async function testDocker(): Promise<{ docker: TestDocker } | { skip: string }> {
  started ??= start();
  try {
    return { docker: await started };
  } catch (err) {
    const reason = `Docker is not available: ${(err as Error).message}`;
    if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: Docker is required)`);
    return { skip: reason };
  }
}
