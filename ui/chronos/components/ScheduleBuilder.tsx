// Builds Chronos' ISO8601 schedule from a start, a repeat count and a period in human units (or takes the
// expression as text), and previews the next 5 runs as the server computes them (GET /v1/scheduler/iso8601/preview,
// the same code the scheduler runs), so what you see is what will run.
import { useId, useMemo } from 'react';
import { DateTime } from 'luxon';
import { useApi } from '../../shared/useApi.ts';
import { useDebounced } from '../../shared/useDebounced.ts';
import { PERIOD_UNITS, scheduleOf, timeZones, type ScheduleFields, type ScheduleValue } from '../schedule.ts';

interface Preview { schedule: string; scheduleTimeZone: string; next: string[] }

export function ScheduleBuilder({ value, onChange, error }: { value: ScheduleValue; onChange(v: ScheduleValue): void; error?: string }) {
  const id = useId();
  const zones = useMemo(timeZones, []);
  const f = value.fields;
  const setFields = (patch: Partial<ScheduleFields>) => onChange({ ...value, fields: { ...f, ...patch } });
  const { schedule, scheduleTimeZone } = scheduleOf(value);
  const query = useDebounced(schedule ? `/v1/scheduler/iso8601/preview?${new URLSearchParams({ schedule, scheduleTimeZone, count: '5' })}` : undefined, 250);
  const preview = useApi<Preview>(query);
  const zone = scheduleTimeZone || 'UTC';
  const errorId = `${id}-error`;
  const shownError = error ?? (preview.error instanceof Error ? preview.error.message : undefined);

  return (
    <fieldset className="schedule-builder">
      <legend>Schedule</legend>
      <div className="segmented" role="radiogroup" aria-label="Schedule input">
        <label><input type="radio" name={`${id}-mode`} checked={value.mode === 'builder'} onChange={() => onChange({ ...value, mode: 'builder' })} /> Builder</label>
        <label><input type="radio" name={`${id}-mode`} checked={value.mode === 'text'}
          onChange={() => onChange({ ...value, mode: 'text', text: value.text || schedule, textZone: value.textZone || scheduleTimeZone })} /> ISO8601 expression</label>
      </div>
      {value.mode === 'builder' ? (
        <div className="grid">
          <div className="field">
            <label htmlFor={`${id}-start`}>Start</label>
            <input id={`${id}-start`} type="datetime-local" required value={f.start} onChange={(e) => setFields({ start: e.target.value })} aria-describedby={errorId} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-zone`}>Time zone</label>
            <select id={`${id}-zone`} value={f.timeZone} onChange={(e) => setFields({ timeZone: e.target.value })}>
              {zones.map((z) => <option key={z} value={z}>{z}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-every`}>Every</label>
            <span className="inline">
              <input id={`${id}-every`} type="number" min={1} step={1} required value={f.every} aria-label="Every (number)" onChange={(e) => setFields({ every: Math.max(1, Math.floor(Number(e.target.value) || 1)) })} />
              <select aria-label="Period unit" value={f.unit} onChange={(e) => setFields({ unit: e.target.value as ScheduleFields['unit'] })}>
                {PERIOD_UNITS.map((u) => <option key={u} value={u}>{u}</option>)}
              </select>
            </span>
          </div>
          <div className="field repeat">
            <span className="label-text">Repeat</span>
            <label className="check"><input type="checkbox" checked={f.repeat === undefined} onChange={(e) => setFields({ repeat: e.target.checked ? undefined : 1 })} /> Forever</label>
            {f.repeat !== undefined && (
              <span className="inline-label">
                <input type="number" min={0} step={1} value={f.repeat} aria-label="Repeat count" onChange={(e) => setFields({ repeat: Math.max(0, Math.floor(Number(e.target.value) || 0)) })} /> times
              </span>
            )}
          </div>
        </div>
      ) : (
        <div className="grid">
          <label className="wide">Expression <span className="muted small">R[n]/start/period, e.g. R/2026-12-01T09:00:00Z/P1D</span>
            <input className="mono" value={value.text} aria-invalid={shownError ? true : undefined} aria-describedby={errorId} onChange={(e) => onChange({ ...value, text: e.target.value })} />
          </label>
          <label>Time zone <span className="muted small">(scheduleTimeZone, optional)</span>
            <input value={value.textZone} list={`${id}-zones`} onChange={(e) => onChange({ ...value, textZone: e.target.value })} />
            <datalist id={`${id}-zones`}>{zones.map((z) => <option key={z} value={z} />)}</datalist>
          </label>
        </div>
      )}
      <p className="muted small">ISO8601: <code data-testid="schedule-expression">{schedule}</code>{scheduleTimeZone ? <> in <code>{scheduleTimeZone}</code></> : null}</p>
      {shownError ? <p id={errorId} className="field-error" role="alert">{shownError}</p> : <span id={errorId} />}
      {!shownError && preview.data && (
        <div className="preview">
          <h3 id={`${id}-next`}>Next runs</h3>
          {preview.data.next.length === 0 ? <p className="muted">None: the schedule has no runs left.</p> : (
            <ol aria-labelledby={`${id}-next`} data-testid="schedule-preview">
              {preview.data.next.map((t) => {
                const d = DateTime.fromISO(t).setZone(zone);
                return <li key={t}><time dateTime={t}>{d.toFormat('ccc d LLL yyyy, HH:mm')}</time> <span className="muted">{d.offsetNameShort ?? zone} · {d.toRelative()}</span></li>;
              })}
            </ol>
          )}
        </div>
      )}
    </fieldset>
  );
}
