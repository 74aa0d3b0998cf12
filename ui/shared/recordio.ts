// RecordIO (Mesos' framing for event streams: "<byte length>\n<record>") decoded from byte chunks as they arrive.
// Lengths count bytes, so records are cut from bytes before text decoding; a record split across chunks waits.
// The servers' decoder (src/common/recordio.ts) works on node's Buffer, which browsers lack; this one is Uint8Array.

export class RecordIOError extends Error {}

export class RecordIODecoder {
  private buffer: Uint8Array = new Uint8Array(0);
  private readonly text = new TextDecoder();

  /** Adds a chunk and returns the records it completed, as text. Throws RecordIOError on a malformed header. */
  feed(chunk: Uint8Array): string[] {
    this.buffer = this.buffer.length === 0 ? chunk : concat(this.buffer, chunk);
    const records: string[] = [];
    let start = 0;
    for (;;) {
      const newline = this.buffer.indexOf(10, start);
      if (newline < 0) {
        if (this.buffer.length - start > 20) throw new RecordIOError('RecordIO length header too long');
        break;
      }
      const header = this.text.decode(this.buffer.subarray(start, newline)).trim();
      if (!/^\d+$/.test(header)) throw new RecordIOError(`bad RecordIO length header '${header.slice(0, 20)}'`);
      const length = Number(header);
      const end = newline + 1 + length;
      if (this.buffer.length < end) break;
      records.push(this.text.decode(this.buffer.subarray(newline + 1, end)));
      start = end;
    }
    this.buffer = this.buffer.subarray(start);
    return records;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Encodes one record (the writer's side, e.g. for tests). */
export function encodeRecordIO(record: string): Uint8Array {
  const body = new TextEncoder().encode(record);
  return concat(new TextEncoder().encode(`${body.length}\n`), body);
}
