// "Scale group": every app below the group multiplied by a factor (PUT /v2/groups/<id> {"scaleBy": n}, each app
// rounded), with a preview of the wanted instances before and after; a change blocked by a deployment can be forced.
import { useRef, useState, type FormEvent } from 'react';
import { api } from '../../shared/api.ts';
import { useDialogRequest } from '../lib/useDialogRequest.ts';
import { scaledInstances } from '../lib/groups.ts';
import type { AppRow } from '../lib/status.ts';
import { groupPath } from '../lib/store.ts';

export function GroupScaleDialog({ groupId, rows, onDone }: { groupId: string; rows: readonly AppRow[]; onDone(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState('2');
  const { error, setError, busy, run, forcible } = useDialogRequest(dialog, onDone);
  const factor = Number(value);
  const valid = value.trim() !== '' && Number.isFinite(factor) && factor > 0;
  const preview = valid ? scaledInstances(rows, factor) : undefined;
  const open = () => { setValue('2'); setError(undefined); dialog.current?.showModal(); };
  const scale = async (force: boolean) => {
    if (!valid) { setError(new Error('Enter a factor greater than 0, e.g. 2 to double or 0.5 to halve.')); return; }
    await run(() => api(`${groupPath(groupId)}${force ? '?force=true' : ''}`, { method: 'PUT', body: { scaleBy: factor } }));
  };
  const submit = (e: FormEvent) => { e.preventDefault(); void scale(false); };
  return (
    <>
      <button type="button" onClick={open} disabled={rows.length === 0}>Scale group</button>
      <dialog ref={dialog} aria-label={`Scale ${groupId}`}>
        <form onSubmit={submit}>
          <h2>Scale {groupId}</h2>
          <label>Scale by (factor) <input type="number" min="0" step="any" name="scaleBy" value={value} autoFocus onChange={(e) => setValue(e.target.value)} /></label>
          <p className="muted" role="status">
            {preview ? `${rows.length} ${rows.length === 1 ? 'app' : 'apps'}: ${preview.before} → ${preview.after} instances wanted` : 'A factor greater than 0: 2 doubles, 0.5 halves.'}
          </p>
          {error && <p className="field-error" role="alert">{error.message}</p>}
          <div className="dialog-actions">
            <button type="button" onClick={() => dialog.current?.close()}>Cancel</button>
            {forcible && <button type="button" className="danger" disabled={busy} onClick={() => void scale(true)}>Force</button>}
            <button type="submit" className="primary" disabled={busy || !valid}>Scale by {valid ? factor : '…'}</button>
          </div>
        </form>
      </dialog>
    </>
  );
}
