// A button whose action runs only after the user confirms it in a modal dialog (destroy, kill, delete...).
import { useRef, useState, type ReactNode } from 'react';

export function ConfirmButton({ label, title, body, confirmLabel, danger, onConfirm, disabled }: {
  label: ReactNode; title: string; body?: ReactNode; confirmLabel?: string; danger?: boolean; disabled?: boolean; onConfirm(): void | Promise<void>;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const confirm = async (): Promise<void> => {
    setBusy(true);
    try { await onConfirm(); } finally { setBusy(false); dialog.current?.close(); }
  };
  return (
    <>
      <button type="button" className={danger ? 'danger' : undefined} disabled={disabled} onClick={() => dialog.current?.showModal()}>{label}</button>
      <dialog ref={dialog} aria-label={title}>
        <h2>{title}</h2>
        {body && <div className="dialog-body">{body}</div>}
        <div className="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()}>Cancel</button>
          <button type="button" className={danger ? 'danger' : 'primary'} disabled={busy} onClick={() => void confirm()}>{confirmLabel ?? title}</button>
        </div>
      </dialog>
    </>
  );
}
