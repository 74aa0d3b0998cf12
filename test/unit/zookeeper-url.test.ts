// Parsing of --zk / --master zk:// addresses and of MasterInfo addresses found in ZooKeeper.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseZooKeeperUrl } from '../../src/state/zookeeper-session.ts';
import { masterAddress } from '../../src/scheduler-client/detector.ts';
import { runCli } from '../helpers/processes.ts';

describe('parseZooKeeperUrl', () => {
  it('splits hosts and path as Mesos writes them', () => {
    assert.deepEqual(parseZooKeeperUrl('zk://h1:2181,h2:2181,h3:2181/mesos'), { connectString: 'h1:2181,h2:2181,h3:2181', path: '/mesos' });
    assert.deepEqual(parseZooKeeperUrl(' zk://10.0.0.1:2181/a/b/ '), { connectString: '10.0.0.1:2181', path: '/a/b' });
  });

  it('names what is wrong', () => {
    assert.throws(() => parseZooKeeperUrl('h1:2181/mesos'), /is not a ZooKeeper URL: expected zk:\/\/host1:2181,host2:2181\/path/);
    assert.throws(() => parseZooKeeperUrl('zk://h1:2181'), /expected a znode path after the hosts, e\.g\. zk:\/\/h1:2181\/mesos/);
    assert.throws(() => parseZooKeeperUrl('zk://h1/mesos'), /'h1' is not host:port/);
    assert.throws(() => parseZooKeeperUrl('zk://user:pw@h1:2181/mesos'), /authentication in zk:\/\/ URLs is not supported/);
  });
});

describe('masterAddress', () => {
  it('prefers address.hostname and port, falls back to the legacy fields', () => {
    assert.equal(masterAddress({ hostname: 'old', port: 1, address: { hostname: 'm1', ip: '10.0.0.1', port: 5050 } }), 'm1:5050');
    assert.equal(masterAddress({ hostname: 'm2', port: 5051 }), 'm2:5051');
    assert.equal(masterAddress({ address: { ip: '10.0.0.3', port: 5052 } }), '10.0.0.3:5052');
    assert.equal(masterAddress({ id: 'x' }), undefined);
    assert.equal(masterAddress(undefined), undefined);
  });
});

describe('master HA flags', () => {
  it('refuse --zk without --quorum, and a malformed --zk, with one line naming the flag', async () => {
    const noQuorum = await runCli(['master', '--zk', 'zk://127.0.0.1:1/mesos', '--port', '0']);
    assert.equal(noQuorum.code, 1);
    assert.equal(noQuorum.stderr.trim(), 'trireme: master: --quorum is required with --zk (e.g. --quorum 2 for 3 masters)');
    const bad = await runCli(['master', '--zk', 'zk://127.0.0.1:1', '--quorum', '2']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--zk <url>.*expected a znode path after the hosts/);
  });
});
