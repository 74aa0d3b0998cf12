// Mesos v1 times are {nanoseconds}; the consoles' formatters take milliseconds.
export function nsToMs(t: { nanoseconds: number } | undefined): number | undefined {
  return t ? t.nanoseconds / 1e6 : undefined;
}

export function formatDate(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toLocaleString();
}
