// The pure TaskInfo → Docker "create container" mapping, the per-task containerizer choice and stats mapping.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseResources } from '../../src/common/resources.ts';
import { checkAddress, containerCreateOptions, DockerOptionsError, parseByteSize, type DockerLaunch } from '../../src/agent/containerizer/docker-options.ts';
import { chooseContainerizer } from '../../src/agent/containerizer/composing.ts';
import { logsResumeTime, statisticsFromDocker } from '../../src/agent/containerizer/docker.ts';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function launch(over: Partial<DockerLaunch> = {}, docker: Record<string, unknown> = {}): DockerLaunch {
  return {
    containerId: 'c1', agentId: 'a1', frameworkId: 'f1', taskId: 't1',
    container: { type: 'DOCKER', docker: { image: 'busybox:1', ...docker } },
    command: { value: 'echo hi' }, env: { MESOS_TASK_ID: 't1', MESOS_SANDBOX: '/host/sandbox' }, sandbox: '/host/sandbox',
    resources: parseResources('cpus:0.5;mem:128;ports:[31000-31009]'), labels: [], enableCfsQuota: false, ...over,
  };
}

describe('docker create options', () => {
  it('names the container mesos-<id>, defaults to host networking, mounts the sandbox and runs a shell command via /bin/sh -c', () => {
    const o = containerCreateOptions(launch());
    assert.equal(o.name, 'mesos-c1');
    assert.equal(o.Image, 'busybox:1');
    assert.equal(o.HostConfig!.NetworkMode, 'host');
    assert.deepEqual(o.HostConfig!.Binds, []);
    assert.deepEqual(o.HostConfig!.Mounts, [{ Type: 'bind', Source: '/host/sandbox', Target: '/mnt/mesos/sandbox', ReadOnly: false }]);
    assert.deepEqual(o.Entrypoint, ['/bin/sh']);
    assert.deepEqual(o.Cmd, ['-c', 'echo hi']);
  });

  it('shell false keeps the image entrypoint: value and arguments replace CMD; nothing given runs the image as built', () => {
    const withArgs = containerCreateOptions(launch({ command: { shell: false, value: 'httpd', arguments: ['-f', '-p', '80'] } }));
    assert.equal(withArgs.Entrypoint, undefined);
    assert.deepEqual(withArgs.Cmd, ['httpd', '-f', '-p', '80']);
    const bare = containerCreateOptions(launch({ command: { shell: false } }));
    assert.equal(bare.Cmd, undefined);
    assert.throws(() => containerCreateOptions(launch({ command: { shell: true } })), /Shell specified but no command value/);
  });

  it('environment: task variables, the agent MESOS_* over them, MESOS_SANDBOX is the in-container path', () => {
    const o = containerCreateOptions(launch({ command: { value: 'x', environment: { variables: [{ name: 'A', value: '1' }, { name: 'MESOS_TASK_ID', value: 'spoofed' }] } } }));
    const env = Object.fromEntries(o.Env!.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    assert.equal(env.A, '1');
    assert.equal(env.MESOS_TASK_ID, 't1');
    assert.equal(env.MESOS_SANDBOX, '/mnt/mesos/sandbox');
    assert.equal(env.MESOS_CONTAINER_NAME, 'mesos-c1');
  });

  it('limits from resources: CPU shares (1024 per cpu), memory in bytes, Mesos minimums, CFS quota only when enabled', () => {
    const o = containerCreateOptions(launch());
    assert.equal(o.HostConfig!.CpuShares, 512);
    assert.equal(o.HostConfig!.Memory, 128 * 1024 * 1024);
    assert.equal(o.HostConfig!.CpuQuota, undefined);
    const tiny = containerCreateOptions(launch({ resources: parseResources('cpus:0.001;mem:4'), enableCfsQuota: true }));
    assert.equal(tiny.HostConfig!.CpuShares, 2);
    assert.equal(tiny.HostConfig!.Memory, 32 * 1024 * 1024);
    assert.equal(tiny.HostConfig!.CpuPeriod, 100_000);
    assert.equal(tiny.HostConfig!.CpuQuota, 1_000);
    const cfs = containerCreateOptions(launch({ enableCfsQuota: true }));
    assert.equal(cfs.HostConfig!.CpuQuota, 50_000);
  });

  it('volumes: host path and mode, relative host paths in the sandbox, relative container paths under the mapped sandbox', () => {
    const o = containerCreateOptions(launch({
      container: {
        type: 'DOCKER', docker: { image: 'i' },
        volumes: [
          { container_path: '/data', host_path: '/srv/data', mode: 'RO' },
          { container_path: '/cache', host_path: 'cache', mode: 'RW' },
          { container_path: 'logs', host_path: '/var/log/app' },
          { container_path: '/named', source: { type: 'DOCKER_VOLUME', docker_volume: { name: 'vol1' } } as never },
        ],
      },
    }));
    assert.deepEqual(o.HostConfig!.Binds, ['/srv/data:/data:ro', '/var/log/app:/mnt/mesos/sandbox/logs:rw', 'vol1:/named:rw']);
    // Sources in the sandbox are Mounts: a sandbox path holds the task id, which may contain ':'.
    assert.deepEqual(o.HostConfig!.Mounts, [
      { Type: 'bind', Source: '/host/sandbox/cache', Target: '/cache', ReadOnly: false },
      { Type: 'bind', Source: '/host/sandbox', Target: '/mnt/mesos/sandbox', ReadOnly: false },
    ]);
    assert.throws(() => containerCreateOptions(launch({ container: { type: 'DOCKER', docker: { image: 'i' }, volumes: [{ container_path: 'a', host_path: 'b' }] } })), /Both host_path 'b' and container_path 'a' of a volume are relative/);
    assert.throws(() => containerCreateOptions(launch({ container: { type: 'DOCKER', docker: { image: 'i' }, volumes: [{ container_path: '/a' }] } })), /host_path or a DOCKER_VOLUME source is required/);
  });

  it('BRIDGE: port mappings bind offered host ports (every protocol of "udp,tcp"); ports outside the resources are refused', () => {
    const o = containerCreateOptions(launch({}, { network: 'BRIDGE', port_mappings: [{ host_port: 31000, container_port: 80 }, { host_port: 31001, container_port: 53, protocol: 'udp,tcp' }] }));
    assert.equal(o.HostConfig!.NetworkMode, 'bridge');
    assert.deepEqual(o.HostConfig!.PortBindings, {
      '80/tcp': [{ HostIp: '', HostPort: '31000' }], '53/udp': [{ HostIp: '', HostPort: '31001' }], '53/tcp': [{ HostIp: '', HostPort: '31001' }],
    });
    assert.deepEqual(Object.keys(o.ExposedPorts!).sort(), ['53/tcp', '53/udp', '80/tcp']);
    assert.throws(() => containerCreateOptions(launch({}, { network: 'BRIDGE', port_mappings: [{ host_port: 32000, container_port: 80 }] })), /Port \[32000\] not included in resources/);
    assert.throws(() => containerCreateOptions(launch({}, { network: 'HOST', port_mappings: [{ host_port: 31000, container_port: 80 }] })), /only supported for bridge and user-defined networks/);
  });

  it('NONE and USER networks; USER needs exactly one named network', () => {
    assert.equal(containerCreateOptions(launch({}, { network: 'NONE' })).HostConfig!.NetworkMode, 'none');
    const user = launch({}, { network: 'USER' });
    user.container.network_infos = [{ name: 'overlay1' }];
    assert.equal(containerCreateOptions(user).HostConfig!.NetworkMode, 'overlay1');
    assert.throws(() => containerCreateOptions(launch({}, { network: 'USER' })), /USER network needs container.network_infos/);
  });

  it('labels: the task labels plus the agent/framework/task/container ids, which a task label cannot override', () => {
    const o = containerCreateOptions(launch({ labels: [{ key: 'team', value: 'qa' }, { key: 'trireme.task_id', value: 'x' }] }));
    assert.deepEqual(o.Labels, { team: 'qa', 'trireme.task_id': 't1', 'trireme.agent_id': 'a1', 'trireme.framework_id': 'f1', 'trireme.container_id': 'c1' });
  });

  it('parameters: common docker run flags map onto the API; unknown or agent-owned flags fail with the flag named', () => {
    const o = containerCreateOptions(launch({}, {
      privileged: true,
      parameters: [
        { key: 'env', value: 'X=1' }, { key: 'label', value: 'k=v' }, { key: 'memory', value: '64m' }, { key: 'ulimit', value: 'nofile=1024:2048' },
        { key: 'cap-add', value: 'NET_ADMIN' }, { key: 'add-host', value: 'db:10.0.0.1' }, { key: 'user', value: 'nobody' }, { key: 'workdir', value: '/w' },
        { key: 'cpus', value: '0.25' }, { key: 'read-only', value: 'true' }, { key: 'log-opt', value: 'max-size=1m' }, { key: 'e', value: 'Y=2' },
      ],
    }));
    const hc = o.HostConfig!;
    assert.equal(hc.Privileged, true);
    assert.ok(o.Env!.includes('X=1') && o.Env!.includes('Y=2'));
    assert.equal(o.Labels!.k, 'v');
    assert.equal(hc.Memory, 64 * 1024 * 1024);
    assert.deepEqual(hc.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 2048 }]);
    assert.deepEqual(hc.CapAdd, ['NET_ADMIN']);
    assert.deepEqual(hc.ExtraHosts, ['db:10.0.0.1']);
    assert.equal(o.User, 'nobody');
    assert.equal(o.WorkingDir, '/w');
    assert.equal(hc.NanoCpus, 250_000_000);
    assert.equal(hc.ReadonlyRootfs, true);
    assert.deepEqual(hc.LogConfig, { Type: '', Config: { 'max-size': '1m' } });
    assert.throws(() => containerCreateOptions(launch({}, { parameters: [{ key: 'frobnicate', value: '1' }] })), /unsupported docker parameter 'frobnicate'/);
    assert.throws(() => containerCreateOptions(launch({}, { parameters: [{ key: 'name', value: 'mine' }] })), /docker parameter 'name' is not allowed/);
    assert.throws(() => containerCreateOptions(launch({}, { parameters: [{ key: 'memory', value: 'lots' }] })), DockerOptionsError);
  });

  it('a DOCKER container without an image is refused', () => {
    assert.throws(() => containerCreateOptions(launch({ container: { type: 'DOCKER' } })), /needs container.docker.image/);
  });

  it('parses docker byte sizes', () => {
    assert.equal(parseByteSize('512'), 512);
    assert.equal(parseByteSize('1k'), 1024);
    assert.equal(parseByteSize('1.5g'), 1.5 * 1024 ** 3);
    assert.equal(parseByteSize('64MB'), 64 * 1024 ** 2);
    assert.throws(() => parseByteSize('-1m'));
  });
});

describe('containerizer choice', () => {
  it('DOCKER containers need docker enabled; everything else runs under mesos', () => {
    assert.deepEqual(chooseContainerizer({ container: { type: 'DOCKER' } }, ['mesos', 'docker']), { name: 'docker' });
    assert.deepEqual(chooseContainerizer({}, ['mesos', 'docker']), { name: 'mesos' });
    assert.deepEqual(chooseContainerizer({ container: { type: 'MESOS' } }, ['mesos']), { name: 'mesos' });
    assert.match((chooseContainerizer({ container: { type: 'DOCKER' } }, ['mesos']) as { error: string }).error, /docker containerizer is not enabled on this agent \(--containerizers mesos\)/);
    assert.match((chooseContainerizer({}, ['docker']) as { error: string }).error, /mesos containerizer is not enabled/);
  });
});

describe('docker stats', () => {
  it('maps CPU times (ns → s), rss (v1 rss or v2 anon), memory limit and pids', () => {
    const v1 = statisticsFromDocker({ cpu_stats: { cpu_usage: { usage_in_usermode: 2_500_000_000, usage_in_kernelmode: 500_000_000 } }, memory_stats: { usage: 9000, limit: 67108864, stats: { rss: 4096 } }, pids_stats: { current: 3 } } as never, { cpus: 0.5 }, 10_000);
    assert.deepEqual(v1, { timestamp: 10, cpus_user_time_secs: 2.5, cpus_system_time_secs: 0.5, cpus_limit: 0.5, mem_rss_bytes: 4096, mem_limit_bytes: 67108864, processes: 3 });
    const v2 = statisticsFromDocker({ cpu_stats: { cpu_usage: {} }, memory_stats: { usage: 9000, stats: { anon: 8192 } } } as never, {}, 0);
    assert.equal(v2.mem_rss_bytes, 8192);
    assert.equal(v2.cpus_limit, undefined);
  });
});

describe('health check address of a docker container', () => {
  it('host networking: the agent default; none: unreachable; bridge: the container IP with mapped host ports turned into container ports', () => {
    assert.equal(checkAddress({ HostConfig: { NetworkMode: 'host' } }), undefined);
    assert.deepEqual(checkAddress({ HostConfig: { NetworkMode: 'none' } }), { unreachable: 'the container has no network (NONE): the agent cannot reach it' });
    const bridged = checkAddress({
      HostConfig: { NetworkMode: 'bridge', PortBindings: { '80/tcp': [{ HostPort: '31011' }], '8443/tcp': null } },
      NetworkSettings: { IPAddress: '', Networks: { bridge: { IPAddress: '172.17.0.5' } } },
    });
    assert.ok(bridged && 'host' in bridged);
    assert.equal(bridged.host, '172.17.0.5');
    assert.equal(bridged.port(31011), 80, 'a mapped host port reaches its container port');
    assert.equal(bridged.port(80), 80, 'a container port is used as is (what Mesos expects)');
    const user = checkAddress({ HostConfig: { NetworkMode: 'my-net' }, NetworkSettings: { Networks: { 'my-net': { IPAddress: '10.1.0.3' } } } });
    assert.ok(user && 'host' in user && user.host === '10.1.0.3');
    assert.deepEqual(checkAddress({ HostConfig: { NetworkMode: 'my-net' }, NetworkSettings: { Networks: {} } }), { unreachable: "the container has no IP address on network 'my-net'" });
  });
});

describe('log stream resumption after an agent restart', () => {
  it('resumes just after the last write to the sandbox files (nanoseconds, plus the coarse file clock\'s margin), from the start when nothing was written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trireme-logs-'));
    try {
      writeFileSync(join(dir, 'stdout'), '');
      writeFileSync(join(dir, 'stderr'), '');
      assert.equal(await logsResumeTime(dir), undefined);
      writeFileSync(join(dir, 'stdout'), 'line\n');
      utimesSync(join(dir, 'stdout'), 1700000000.25, 1700000000.25);
      writeFileSync(join(dir, 'stderr'), 'err\n');
      utimesSync(join(dir, 'stderr'), 1700000001.5, 1700000001.5);
      assert.equal(await logsResumeTime(dir), '1700000001.520000000');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
