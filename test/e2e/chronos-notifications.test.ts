// Chronos owner notifications: a job failing beyond its retries mails each owner through a real SMTP server (on
// loopback) and POSTs Chronos' JSON to --http-notification-url; --disable-after-failures says "disabled"; deleting
// a job says so too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { eventually, startCluster, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { call, isoIn, postJob, startChronosProcess } from '../helpers/chronos.ts';

interface Mail { to: string[]; raw: string }

async function smtpServer(): Promise<{ port: number; mails: Mail[]; server: SMTPServer }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => { raw += c.toString(); });
      stream.on('end', () => { mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw }); callback(); });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.server.address() as AddressInfo).port, mails, server };
}

async function httpReceiver(): Promise<{ url: string; bodies: any[]; auth: string[]; server: Server }> {
  const bodies: any[] = [];
  const auth: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { bodies.push(JSON.parse(body)); auth.push(String(req.headers.authorization)); res.end(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`, bodies, auth, server };
}

const subjectOf = (m: Mail) => /^Subject: (.*)$/m.exec(m.raw)?.[1];

describe('chronos owner notifications', () => {
  let cluster: TestCluster;
  let chronos: RoleProcess;
  let smtp: Awaited<ReturnType<typeof smtpServer>>;
  let hook: Awaited<ReturnType<typeof httpReceiver>>;
  before(async () => {
    smtp = await smtpServer();
    hook = await httpReceiver();
    cluster = await startCluster({ agents: 1, agentIpBase: 55 });
    chronos = await startChronosProcess(cluster.masterAddress, join(cluster.dir, 'chronos'), [
      '--mail-server', `127.0.0.1:${smtp.port}`, '--mail-from', 'chronos@cluster.test', '--cluster-name', 'test-cluster',
      '--http-notification-url', hook.url, '--http-notification-credentials', 'ops:s3cret', '--disable-after-failures', '2',
    ]);
  });
  after(async () => {
    await chronos?.stop();
    await cluster?.stop();
    smtp?.server.close();
    hook?.server.close();
  });

  it('tell every owner when a job fails beyond its retries, then when it is disabled, then when it is deleted', async () => {
    await postJob(chronos.url, {
      name: 'flaky', command: 'echo broken >&2; exit 3', schedule: `R2/${isoIn(500)}/PT2S`, epsilon: 'PT30S', retries: 0, cpus: 0.1, mem: 16,
      owner: 'alice@team.test, bob@team.test',
    });
    const failed = await eventually(() => {
      const got = smtp.mails.filter((m) => subjectOf(m) === "[test-cluster] [Chronos] job 'flaky' failed!");
      return got.length === 2 ? got : undefined;
    }, 30_000);
    assert.deepEqual(failed.map((m) => m.to[0]).sort(), ['alice@team.test', 'bob@team.test']);
    assert.match(failed[0]!.raw, /Retries attempted: 0\./);
    assert.match(failed[0]!.raw, /Task id: ct:\d+:0:flaky:/);
    const body = await eventually(() => hook.bodies.find((b) => b.subject?.includes("job 'flaky' failed!")));
    assert.equal(body.job, 'flaky');
    assert.equal(body.command, 'echo broken >&2; exit 3');
    assert.equal(body.errorCount, '1');
    assert.ok(['alice@team.test', 'bob@team.test'].includes(body.to));
    assert.equal(hook.auth[0], `Basic ${Buffer.from('ops:s3cret').toString('base64')}`);

    // The second failure in a row reaches --disable-after-failures 2: the job is disabled and owners hear that.
    const disabled = await eventually(() => {
      const got = smtp.mails.filter((m) => subjectOf(m) === "[test-cluster] [Chronos] job 'flaky' disabled");
      return got.length === 2 ? got : undefined;
    }, 30_000);
    assert.match(disabled[0]!.raw, /2 failures since last success/);
    const job = (await call(chronos.url, 'GET', '/v1/scheduler/job/flaky')).json();
    assert.equal(job.disabled, true);

    assert.equal((await call(chronos.url, 'DELETE', '/v1/scheduler/job/flaky')).status, 204);
    await eventually(() => smtp.mails.filter((m) => subjectOf(m) === "[test-cluster] [Chronos] Your job 'flaky' was deleted!").length === 2);
  });

  it('a job that succeeds sends nothing', async () => {
    const before = smtp.mails.length;
    await postJob(chronos.url, { name: 'fine', command: 'true', schedule: `R1/${isoIn(300)}/PT1M`, epsilon: 'PT30S', owner: 'carol@team.test', cpus: 0.1, mem: 16 });
    await eventually(async () => (await call(chronos.url, 'GET', '/v1/scheduler/job/fine')).json().successCount === 1, 30_000);
    assert.equal(smtp.mails.length, before);
  });
});
