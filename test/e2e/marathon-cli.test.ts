// `trireme marathon` start-up failures: one clear line naming the flag.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { oneLine, runCli, tempDir } from '../helpers/processes.ts';


describe('trireme marathon CLI', () => {
  it('needs --master and names bad values', async () => {
    const none = await runCli(['marathon']);
    assert.equal(none.code, 1);
    assert.match(oneLine(none.stderr), /--master/);
    const dir = tempDir();
    try {
      const bad = await runCli(['marathon', '--master', 'nonsense', '--work-dir', dir.path, '--http-port', '0']);
      assert.equal(bad.code, 1);
      assert.match(oneLine(bad.stderr), /--master: bad master address 'nonsense'/);
      const zk = await runCli(['marathon', '--master', '127.0.0.1:5050', '--zk', 'http://127.0.0.1:2181/marathon']);
      assert.equal(zk.code, 1);
      assert.match(oneLine(zk.stderr), /--zk.*is not a ZooKeeper URL/);
      const duration = await runCli(['marathon', '--master', '127.0.0.1:5050', '--reconciliation-interval', 'soon']);
      assert.equal(duration.code, 1);
      assert.match(oneLine(duration.stderr), /--reconciliation-interval.*bad duration 'soon'/);
      const port = await runCli(['marathon', '--master', '127.0.0.1:5050', '--http-port', '70000']);
      assert.equal(port.code, 1);
      assert.match(oneLine(port.stderr), /'70000' is not a port number/);
    } finally {
      dir.remove();
    }
  });

  it('stops with one line when its HTTP port is taken', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as net.AddressInfo).port;
    const dir = tempDir();
    try {
      const r = await runCli(['marathon', '--master', '127.0.0.1:1', '--http-address', '127.0.0.1', '--http-port', String(port), '--work-dir', dir.path]);
      assert.equal(r.code, 1);
      assert.match(oneLine(r.stderr), new RegExp(`marathon: port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      server.close();
      dir.remove();
    }
  });
});
