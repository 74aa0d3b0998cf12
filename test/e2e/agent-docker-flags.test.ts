// `trireme agent` refuses bad containerizer configuration at start-up with one line naming the flag.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, tempDir } from '../helpers/processes.ts';

it('an unknown containerizer or an unreachable Docker Engine stops the agent at start-up, naming the flag', async () => {
  const dir = tempDir();
  try {
    const unknown = await runCli(['agent', '--master', '127.0.0.1:1', '--containerizers', 'mesos,podman']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /--containerizers.*unknown containerizer 'podman' \(known: mesos, docker\)/);
    const noDocker = await runCli(['agent', '--master', '127.0.0.1:1', '--ip', '127.0.72.2', '--port', '0', '--work-dir', dir.path,
      '--containerizers', 'mesos,docker', '--docker-socket', `${dir.path}/missing.sock`]);
    assert.equal(noDocker.code, 1);
    assert.match(noDocker.stderr, /^trireme: agent: --containerizers includes docker but the Docker Engine at .*missing\.sock \(--docker-socket\) does not answer/m);
  } finally {
    dir.remove();
  }
});
