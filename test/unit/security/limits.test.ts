import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { ClientStreamLimiter } from '../../../src/security/stream-limiter.ts';
import { formatByteSize, parseByteSize } from '../../../src/security/byte-size.ts';
import { RecordIOStream } from '../../../src/common/event-stream.ts';

describe('ClientStreamLimiter', () => {
  it('gives each client address at most the cap, and a release frees one slot once', () => {
    const limiter = new ClientStreamLimiter(2);
    const a1 = limiter.tryAcquire('10.0.0.1');
    const a2 = limiter.tryAcquire('10.0.0.1');
    assert.ok(a1 && a2);
    assert.equal(limiter.tryAcquire('10.0.0.1'), undefined, 'third stream of the same client is refused');
    assert.ok(limiter.tryAcquire('10.0.0.2'), 'another client is not affected');
    a1();
    a1(); // releasing twice must not free a second slot
    assert.equal(limiter.openFor('10.0.0.1'), 1);
    assert.ok(limiter.tryAcquire('10.0.0.1'));
    assert.equal(limiter.tryAcquire('10.0.0.1'), undefined);
    assert.equal(limiter.total, 3);
  });
});

describe('byte sizes', () => {
  it('reads Mesos-style sizes and refuses garbage with the text', () => {
    assert.equal(parseByteSize('16MB'), 16 * 1024 * 1024);
    assert.equal(parseByteSize('512kb'), 512 * 1024);
    assert.equal(parseByteSize('100'), 100);
    assert.equal(parseByteSize('1GB'), 1024 ** 3);
    assert.throws(() => parseByteSize('lots'), /bad size 'lots'/);
    assert.throws(() => parseByteSize('3TB'), /bad size '3TB'/);
    assert.equal(formatByteSize(16 * 1024 * 1024), '16MB');
    assert.equal(formatByteSize(1000), '1000B');
  });
});

describe('RecordIOStream with a buffer bound', () => {
  it('drops a subscriber that stops reading instead of queueing without end, and keeps a reading one', async () => {
    const streams: RecordIOStream[] = [];
    const server = http.createServer((_req, res) => { streams.push(new RecordIOStream(res, {}, 'application/json', { maxBufferedBytes: 256 * 1024 })); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      // A stalled client: sends the request, never reads the response.
      const stalled = net.connect(port, '127.0.0.1');
      stalled.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
      stalled.pause();
      const stalledClosed = new Promise<void>((r) => stalled.on('close', () => r()));
      stalled.on('error', () => undefined);
      // A reading client on the same server.
      let received = 0;
      const reading = http.request({ host: '127.0.0.1', port, method: 'POST' }, (res) => res.on('data', (c: Buffer) => { received += c.length; }));
      reading.end();
      while (streams.length < 2) await new Promise((r) => setTimeout(r, 10));
      const [stalledStream, readingStream] = streams;
      const event = { type: 'UPDATE', payload: 'x'.repeat(64 * 1024) };
      let sent = 0;
      while (!stalledStream!.closed && sent < 2000) {
        stalledStream!.send(event);
        readingStream!.send(event);
        sent++;
        await new Promise((r) => setTimeout(r, 2)); // a reading client keeps up at this pace
      }
      assert.ok(stalledStream!.closed, 'the stalled stream was dropped');
      stalled.resume(); // a paused socket does not see the server's close until it reads what was queued
      await stalledClosed;
      assert.equal(readingStream!.closed, false, 'the reading stream is kept');
      readingStream!.send({ type: 'LAST' });
      readingStream!.close();
      while (received === 0) await new Promise((r) => setTimeout(r, 10));
    } finally {
      for (const s of streams) s.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('singleQuery', () => {
  it('reads a repeated parameter as its first value (fuzzing found handlers calling string methods on arrays)', async () => {
    const { singleQuery } = await import('../../../src/common/http.ts');
    const req = { query: { id: ['a', 'b'], cmd: 'sleep', n: undefined } } as unknown as Parameters<typeof singleQuery>[0];
    assert.deepEqual(singleQuery(req), { id: 'a', cmd: 'sleep', n: undefined });
  });
});

describe('limit flags', () => {
  it('are read into limits on every role, and a bad value is one line naming the flag', async () => {
    const { Command } = await import('commander');
    const { addHttpLimitOptions, httpLimitsFromOptions } = await import('../../../src/security/limit-flags.ts');
    const { DEFAULT_HTTP_LIMITS } = await import('../../../src/security/http-limits.ts');
    const cmd = addHttpLimitOptions(new Command('x').exitOverride().configureOutput({ writeErr: () => undefined }), 'x', DEFAULT_HTTP_LIMITS);
    cmd.parse(['--http-body-limit', '1MB', '--http-headers-timeout', '2secs', '--max-event-streams-per-client', '3'], { from: 'user' });
    assert.deepEqual(httpLimitsFromOptions(cmd.opts()), { ...DEFAULT_HTTP_LIMITS, bodyLimitBytes: 1024 * 1024, headersTimeoutMs: 2000, maxStreamsPerClient: 3 });
    const bad = addHttpLimitOptions(new Command('x').exitOverride().configureOutput({ writeErr: () => undefined }), 'x', DEFAULT_HTTP_LIMITS);
    assert.throws(() => bad.parse(['--http-body-limit', 'lots'], { from: 'user' }), /--http-body-limit <size>.*bad size 'lots'/);
    const zero = addHttpLimitOptions(new Command('x').exitOverride().configureOutput({ writeErr: () => undefined }), 'x', DEFAULT_HTTP_LIMITS);
    assert.throws(() => zero.parse(['--http-request-timeout', '0secs'], { from: 'user' }), /--http-request-timeout.*must be longer than 0/);
  });

  it('still sends one event larger than the buffer bound (a whole cluster state as the first event)', async () => {
    let stream: RecordIOStream | undefined;
    const server = http.createServer((_req, res) => { stream = new RecordIOStream(res, {}, 'application/json', { maxBufferedBytes: 1024 }); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      let body = '';
      const done = new Promise<void>((resolve) => {
        http.request({ host: '127.0.0.1', port, method: 'POST' }, (res) => { res.setEncoding('utf8'); res.on('data', (c: string) => { body += c; }); res.on('end', resolve); }).end();
      });
      while (!stream) await new Promise((r) => setTimeout(r, 10));
      stream.send({ type: 'SUBSCRIBED', state: 'x'.repeat(200 * 1024) });
      stream.close();
      await done;
      assert.ok(body.length > 200 * 1024, `the whole event arrived (${body.length} bytes)`);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
