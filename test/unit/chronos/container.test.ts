import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chronosContainerInfo } from '../../../src/chronos/container.ts';
import { containerInfoSchema } from '../../../src/proto/mesos.ts';

test('a Chronos docker container becomes the Mesos ContainerInfo the agent runs', () => {
  const info = chronosContainerInfo({
    type: 'DOCKER', image: 'busybox:local', network: 'bridge', forcePullImage: true,
    volumes: [{ containerPath: '/data', hostPath: '/srv/data', mode: 'RO' }, { containerPath: '/scratch' }],
    parameters: [{ key: 'memory-swap', value: '64m' }],
  });
  assert.deepEqual(info, {
    type: 'DOCKER',
    docker: { image: 'busybox:local', network: 'BRIDGE', force_pull_image: true, parameters: [{ key: 'memory-swap', value: '64m' }] },
    volumes: [{ container_path: '/data', host_path: '/srv/data', mode: 'RO' }, { container_path: '/scratch', mode: 'RW' }],
  });
  assert.ok(containerInfoSchema.safeParse(info).success, 'the master accepts it');
});

test('host networking by default, USER networks by name, no container without an image', () => {
  assert.equal(chronosContainerInfo({ image: 'x' })?.docker?.network, 'HOST');
  assert.equal(chronosContainerInfo({ image: 'x', network: 'weird' })?.docker?.network, 'HOST');
  assert.deepEqual(chronosContainerInfo({ image: 'x', network: 'USER', networkName: 'dev' })?.network_infos, [{ name: 'dev' }]);
  assert.equal(chronosContainerInfo({ type: 'DOCKER' }), undefined);
  assert.equal(chronosContainerInfo(null), undefined);
});
