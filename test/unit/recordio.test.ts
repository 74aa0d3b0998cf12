import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeRecord, RecordIODecoder } from '../../src/common/recordio.ts';

describe('RecordIO', () => {
  it('frames a message as its byte length, a newline and the JSON', () => {
    assert.equal(encodeRecord({ type: 'HEARTBEAT' }), '20\n{"type":"HEARTBEAT"}');
    assert.equal(encodeRecord({ s: 'é' }), '10\n{"s":"é"}', 'length counts bytes, not characters');
  });

  it('property: any split of a stream of records decodes to the same records', () => {
    fc.assert(fc.property(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 10 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }), (messages, cuts) => {
      const bytes = Buffer.from(messages.map((m) => encodeRecord(m)).join(''));
      const decoder = new RecordIODecoder();
      const got: unknown[] = [];
      let pos = 0; let i = 0;
      while (pos < bytes.length) {
        const n = cuts[i++ % cuts.length]!;
        for (const r of decoder.write(bytes.subarray(pos, pos + n))) got.push(JSON.parse(r.toString()));
        pos += n;
      }
      assert.deepEqual(got, messages.map((m) => JSON.parse(JSON.stringify(m))));
    }));
  });

  it('rejects a corrupt length header', () => {
    assert.throws(() => new RecordIODecoder().write('abc\n{}'), /bad record length/);
  });
});
