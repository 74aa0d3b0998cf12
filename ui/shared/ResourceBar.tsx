// One resource as a stacked bar: used, offered (optional) and free out of the total, with the numbers spelled out
// next to it so the bar is never the only way to read them (screen readers get the same sentence).

export function ResourceBar({ label, total, used, offered, format = String }: {
  label: string; total: number; used: number; offered?: number; format?(n: number): string;
}) {
  const pct = (n: number): number => (total > 0 ? Math.min(100, Math.max(0, (n / total) * 100)) : 0);
  const free = Math.max(0, total - used - (offered ?? 0));
  const summary = `${label}: ${format(used)} used${offered !== undefined ? `, ${format(offered)} offered` : ''}, ${format(free)} free of ${format(total)}`;
  return (
    <div className="resource-bar" data-testid={`resource-${label.toLowerCase()}`}>
      <div className="resource-bar-head">
        <span className="resource-bar-label">{label}</span>
        <span className="muted">{format(used)} / {format(total)}</span>
      </div>
      <div className="resource-bar-track" role="img" aria-label={summary} title={summary}>
        <div className="resource-bar-used" style={{ width: `${pct(used)}%` }} />
        {offered !== undefined && <div className="resource-bar-offered" style={{ width: `${pct(offered)}%` }} />}
      </div>
      <div className="resource-bar-legend muted">
        <span><i className="swatch used" />used {format(used)}</span>
        {offered !== undefined && <span><i className="swatch offered" />offered {format(offered)}</span>}
        <span><i className="swatch free" />free {format(free)}</span>
      </div>
    </div>
  );
}
