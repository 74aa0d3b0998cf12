// Sizes in Mesos' Bytes flag syntax ("16MB", "512KB", "1GB", "100B") or plain bytes.

const FACTORS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Returns bytes; throws with the offending text if it cannot be read. */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const factor = m ? FACTORS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || factor === undefined) throw new Error(`bad size '${text}' (expected e.g. 16MB, 512KB, 1048576)`);
  return Math.floor(Number(m[1]) * factor);
}

export function formatByteSize(bytes: number): string {
  for (const [unit, f] of [['GB', 1024 ** 3], ['MB', 1024 ** 2], ['KB', 1024]] as const) if (bytes >= f && bytes % f === 0) return `${bytes / f}${unit}`;
  return `${bytes}B`;
}
