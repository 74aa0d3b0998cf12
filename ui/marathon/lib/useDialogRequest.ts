// What a Marathon dialog's request needs: run it, close the dialog and report done on success, keep the error to
// show otherwise — and whether it may be forced (409: a running deployment blocks it).
import { useState, type RefObject } from 'react';
import { ApiError } from '../../shared/api.ts';

export function useDialogRequest(dialog: RefObject<HTMLDialogElement | null>, onDone: () => void) {
  const [error, setError] = useState<ApiError | Error>();
  const [busy, setBusy] = useState(false);
  const run = async (request: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await request();
      dialog.current?.close();
      onDone();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  const forcible = error instanceof ApiError && error.status === 409;
  return { error, setError, busy, run, forcible };
}
