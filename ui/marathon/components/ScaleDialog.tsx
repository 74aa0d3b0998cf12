// "Scale": a dialog asking for the number of instances; a change blocked by a deployment can be forced.
import { useRef, useState, type FormEvent } from 'react';
import { api } from '../../shared/api.ts';
import { appPath } from '../lib/store.ts';
import { useDialogRequest } from '../lib/useDialogRequest.ts';

export function ScaleDialog({ appId, instances, onDone }: { appId: string; instances: number; onDone(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState(String(instances));
  const { error, setError, busy, run, forcible } = useDialogRequest(dialog, onDone);
  const open = () => { setValue(String(instances)); setError(undefined); dialog.current?.showModal(); };
  const scale = async (force: boolean) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) { setError(new Error('Enter a whole number of instances, 0 or more.')); return; }
    await run(() => api(`${appPath(appId)}${force ? '?force=true' : ''}`, { method: 'PUT', body: { instances: n } }));
  };
  const submit = (e: FormEvent) => { e.preventDefault(); void scale(false); };
  return (
    <>
      <button type="button" onClick={open}>Scale</button>
      <dialog ref={dialog} aria-label={`Scale ${appId}`}>
        <form onSubmit={submit}>
          <h2>Scale {appId}</h2>
          <label>Instances <input type="number" min="0" step="1" name="instances" value={value} autoFocus onChange={(e) => setValue(e.target.value)} /></label>
          {error && <p className="field-error" role="alert">{error.message}</p>}
          <div className="dialog-actions">
            <button type="button" onClick={() => dialog.current?.close()}>Cancel</button>
            {forcible && <button type="button" className="danger" disabled={busy} onClick={() => void scale(true)}>Force</button>}
            <button type="submit" className="primary" disabled={busy}>Scale to {value || '…'}</button>
          </div>
        </form>
      </dialog>
    </>
  );
}
