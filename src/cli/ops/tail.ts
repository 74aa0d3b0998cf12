// `trireme task logs --tail N`: where, in bytes, the last N lines of a sandbox file start. The agent's /files/read
// returns decoded text for a byte range, so the cut is found in text and turned back into a byte offset.

/**
 * Index in `text` where its last `lines` lines start, or undefined when `text` holds fewer complete lines than that
 * (read further back). A final newline ends the last line; it does not start an empty one.
 */
export function lastLinesStart(text: string, lines: number): number | undefined {
  if (lines <= 0) return text.length;
  let at = text.endsWith('\n') ? text.length - 1 : text.length;
  for (let k = 0; k < lines; k++) {
    if (at <= 0) return undefined;
    at = text.lastIndexOf('\n', at - 1);
    if (at < 0) return undefined;
  }
  return at + 1;
}

/**
 * The byte offset of `text.slice(index)` in the file, for a page read at byte `pageStart`. A page that starts inside
 * a multi-byte character decodes each stray continuation byte (at most 3) as one U+FFFD (3 bytes in UTF-8):
 * those count one byte each.
 */
export function byteOffsetOf(text: string, index: number, pageStart: number): number {
  let stray = 0;
  while (stray < 3 && text.charCodeAt(stray) === 0xfffd) stray++;
  return pageStart + Buffer.byteLength(text.slice(0, index), 'utf8') - 2 * Math.min(stray, index);
}

/**
 * Where printing starts for `--tail lines`: reads one window ending at `size`, doubling it from `firstWindow` until
 * it holds enough lines or reaches `maxWindow` (the agent's largest read; then the lines that fit are printed).
 * One read per window: a window pieced from pages would have U+FFFD at each join and wrong byte counts.
 */
export async function tailOffset(size: number, lines: number, firstWindow: number, maxWindow: number,
  read: (offset: number, length: number) => Promise<string>): Promise<number> {
  if (lines <= 0 || size === 0) return size;
  for (let window = firstWindow; ; window *= 2) {
    const start = Math.max(0, size - Math.min(window, maxWindow));
    const text = await read(start, size - start);
    const cut = lastLinesStart(text, lines);
    if (cut !== undefined) return byteOffsetOf(text, cut, start);
    if (start === 0) return 0;
    if (window >= maxWindow) {
      // More lines than fit in the largest read: start at the first whole line in it.
      const first = text.indexOf('\n');
      return first < 0 ? size : byteOffsetOf(text, first + 1, start);
    }
  }
}
