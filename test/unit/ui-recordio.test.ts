// The consoles' RecordIO reader: records split anywhere across chunks (even inside a multi-byte character or the
// length header) come out whole, lengths count bytes, and a malformed header is an error, not a silent stall.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordIODecoder, RecordIOError, encodeRecordIO } from '../../ui/shared/recordio.ts';
import { encodeRecord } from '../../src/common/recordio.ts';

const records = ['{"type":"SUBSCRIBED"}', '{"name":"tâche ✓ 日本"}', '', '{"type":"HEARTBEAT"}'];
const wire = Buffer.concat(records.map((r) => Buffer.from(encodeRecordIO(r))));

test('records come out whole however the bytes are chunked', () => {
  for (let size = 1; size <= wire.length; size++) {
    const decoder = new RecordIODecoder();
    const out: string[] = [];
    for (let i = 0; i < wire.length; i += size) out.push(...decoder.feed(new Uint8Array(wire.subarray(i, i + size))));
    assert.deepEqual(out, records, `chunk size ${size}`);
  }
});

test("the reader understands what the servers' RecordIO writer sends", () => {
  const event = { type: 'TASK_ADDED', task_added: { task: { name: 'ünïcode' } } };
  const decoder = new RecordIODecoder();
  assert.deepEqual(decoder.feed(new TextEncoder().encode(encodeRecord(event))).map((r) => JSON.parse(r)), [event]);
});

test('a malformed length header is an error', () => {
  assert.throws(() => new RecordIODecoder().feed(new TextEncoder().encode('abc\n{}')), RecordIOError);
});

test('a length header that never ends is an error', () => {
  assert.throws(() => new RecordIODecoder().feed(new TextEncoder().encode('1'.repeat(30))), RecordIOError);
});
