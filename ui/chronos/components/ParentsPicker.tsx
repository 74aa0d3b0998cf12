// Choose the jobs a dependent job runs after: the chosen ones as removable chips, and a searchable list of the
// others (only the first matches are drawn, so it stays quick with thousands of jobs); chosen ones stay checked.
import { useMemo, useState } from 'react';

const SHOWN = 40;

export function ParentsPicker({ all, value, onChange, exclude, error }: { all: readonly string[]; value: string[]; onChange(v: string[]): void; exclude?: string; error?: string }) {
  const [q, setQ] = useState('');
  const chosen = new Set(value);
  const matches = useMemo(() => {
    const needle = q.trim().toLowerCase();
    // The chosen ones first (still checked, so a click unchooses), then the first other matches.
    const out: string[] = value.filter((n) => !needle || n.toLowerCase().includes(needle));
    for (const n of all) {
      if (out.length >= SHOWN + value.length) break;
      if (n !== exclude && !chosen.has(n) && (!needle || n.toLowerCase().includes(needle))) out.push(n);
    }
    return out;
  }, [all, q, exclude, value]); // eslint-disable-line react-hooks/exhaustive-deps
  const toggle = (n: string, on: boolean) => onChange(on ? [...value, n] : value.filter((v) => v !== n));
  return (
    <fieldset className="parents" aria-describedby="parents-error">
      <legend>Parents <span className="muted small">runs after each of these completes</span></legend>
      {value.length > 0 && (
        <ul className="chips" aria-label="Chosen parents">
          {value.map((n) => (
            <li key={n} className="chip">{n} <button type="button" className="link" aria-label={`Remove parent ${n}`} onClick={() => toggle(n, false)}>×</button></li>
          ))}
        </ul>
      )}
      <input type="search" placeholder="Find jobs…" aria-label="Find parent jobs" value={q} onChange={(e) => setQ(e.target.value)} />
      <div className="choices" role="group" aria-label="Jobs to choose from">
        {matches.length === 0 ? <p className="muted small">No other job matches.</p> : matches.map((n) => (
          <label key={n} className="check"><input type="checkbox" checked={chosen.has(n)} onChange={(e) => toggle(n, e.target.checked)} /> {n}</label>
        ))}
      </div>
      {error ? <p id="parents-error" className="field-error" role="alert">{error}</p> : <span id="parents-error" />}
    </fieldset>
  );
}
