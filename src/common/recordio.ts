// RecordIO framing used by every Mesos streaming endpoint: "<decimal byte length>\n<payload>".

export function encodeRecord(message: unknown): string {
  const payload = JSON.stringify(message);
  return `${Buffer.byteLength(payload)}\n${payload}`;
}

/** Incremental decoder: feed arbitrary chunks, get whole records back (chunk and record boundaries are unrelated). */
export class RecordIODecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private expected = -1;

  write(chunk: Buffer | string): Buffer[] {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    const records: Buffer[] = [];
    for (;;) {
      if (this.expected < 0) {
        const nl = this.buffer.indexOf(0x0a);
        if (nl < 0) {
          if (this.buffer.length > 20) throw new Error('RecordIO: record length header too long');
          break;
        }
        const header = this.buffer.subarray(0, nl).toString('ascii');
        if (!/^\d+$/.test(header)) throw new Error(`RecordIO: bad record length '${header}'`);
        this.expected = Number(header);
        this.buffer = this.buffer.subarray(nl + 1);
      }
      if (this.buffer.length < this.expected) break;
      records.push(this.buffer.subarray(0, this.expected));
      this.buffer = this.buffer.subarray(this.expected);
      this.expected = -1;
    }
    return records;
  }
}

/** Decodes a RecordIO byte stream of JSON messages. */
export async function* readRecords<T = unknown>(stream: AsyncIterable<Uint8Array>): AsyncGenerator<T> {
  const decoder = new RecordIODecoder();
  for await (const chunk of stream) {
    for (const record of decoder.write(Buffer.from(chunk))) yield JSON.parse(record.toString('utf8')) as T;
  }
}
