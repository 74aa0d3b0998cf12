// Create or edit an app: the form or the raw JSON (switching keeps every value), submitted to the API; a 422's
// details are shown next to their fields, the rest in a banner. A change blocked by a deployment can be forced.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, ApiError, type FieldError } from '../../shared/api.ts';
import { ErrorBanner, Loading } from '../../shared/Shell.tsx';
import { appToForm, assignErrors, formFieldKeys, formToApp, newAppForm, type AppForm } from '../lib/appForm.ts';
import { appPath } from '../lib/store.ts';
import type { MarathonApp } from '../lib/types.ts';
import { AppFormFields } from '../components/AppFormFields.tsx';
import { store } from '../live.tsx';
import { appHref, idFromSplat } from '../routes.ts';

type Mode = 'form' | 'json';

/** `#/create?group=/web` (from a group's page) starts the id inside that group. */
export function CreateAppPage() {
  const group = useSearchParams()[0].get('group');
  return <AppEditor initial={{ ...newAppForm(), ...(group && group !== '/' ? { id: `${group.replace(/\/+$/, '')}/` } : {}) }} />;
}

export function EditAppPage() {
  const id = idFromSplat(useParams()['*']);
  const [initial, setInitial] = useState<AppForm>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api<{ app: MarathonApp }>(appPath(id)).then((r) => setInitial(appToForm(r.app)), setError);
  }, [id]);
  if (error) return <ErrorBanner error={error} />;
  if (!initial) return <Loading />;
  return <AppEditor initial={initial} editId={id} />;
}

function AppEditor({ initial, editId }: { initial: AppForm; editId?: string }) {
  const navigate = useNavigate();
  const [form, setForm] = useState(initial);
  const [mode, setMode] = useState<Mode>('form');
  const [json, setJson] = useState('');
  const [jsonError, setJsonError] = useState<string>();
  const [details, setDetails] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<ApiError | Error>();
  const [busy, setBusy] = useState(false);

  const assigned = useMemo(() => assignErrors(details, mode === 'form' ? formFieldKeys(form) : []), [details, form, mode]);
  const errors = (key: string) => assigned.fields[key];
  const set = (patch: Partial<AppForm>) => setForm((f) => ({ ...f, ...patch }));

  const switchTo = (next: Mode) => {
    if (next === mode) return;
    if (next === 'json') { setJson(JSON.stringify(formToApp(form), null, 2)); setJsonError(undefined); setMode('json'); return; }
    try {
      const parsed = JSON.parse(json) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the JSON must be an object');
      setForm(appToForm(parsed as Record<string, unknown>));
      setJsonError(undefined);
      setMode('form');
    } catch (err) {
      setJsonError(`Fix the JSON before switching back: ${(err as Error).message}`);
    }
  };

  const submit = async (force = false) => {
    let body: Record<string, unknown>;
    if (mode === 'json') {
      try { body = JSON.parse(json) as Record<string, unknown>; } catch (err) { setJsonError(`Invalid JSON: ${(err as Error).message}`); return; }
    } else body = formToApp(form);
    setBusy(true);
    setFailure(undefined);
    setDetails([]);
    try {
      const q = force ? '?force=true' : '';
      if (editId) await api(`${appPath(editId)}${q}`, { method: 'PUT', body });
      else await api(`/v2/apps${q}`, { method: 'POST', body });
      const id = editId ?? String(body.id ?? '');
      const absolute = id.startsWith('/') ? id : `/${id}`;
      store.touch([absolute]);
      navigate(appHref(absolute));
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) setDetails(err.details);
      setFailure(err as Error);
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (e: FormEvent) => { e.preventDefault(); void submit(); };
  const locked = failure instanceof ApiError && failure.status === 409 && editId !== undefined;
  const title = editId ? `Edit ${editId}` : 'Create application';

  return (
    <form className="app-form" onSubmit={onSubmit} aria-label={title} noValidate>
      <div className="page-head">
        <h1>{title}</h1>
        <div className="segmented" role="group" aria-label="Editor mode">
          <button type="button" aria-pressed={mode === 'form'} onClick={() => switchTo('form')}>Form</button>
          <button type="button" aria-pressed={mode === 'json'} onClick={() => switchTo('json')}>JSON</button>
        </div>
      </div>
      {failure && (
        <div role="alert" className="error-banner" data-testid="form-error">
          <strong>{failure.message}</strong>
          {assigned.general.length > 0 && <ul>{assigned.general.map((g) => <li key={g}>{g}</li>)}</ul>}
          {mode === 'json' && details.length > 0 && <ul>{details.map((d) => <li key={d.path}><code>{d.path}</code>: {d.errors.join(' ')}</li>)}</ul>}
          {mode === 'form' && Object.keys(assigned.fields).length > 0 && <p>See the highlighted fields below.</p>}
          {locked && <button type="button" className="danger" onClick={() => void submit(true)}>Force the change (overrides the running deployment)</button>}
        </div>
      )}
      {mode === 'form' ? <AppFormFields form={form} set={set} errors={errors} editing={editId !== undefined} /> : (
        <label className="json-editor">
          App definition (JSON)
          <textarea className="mono" spellCheck={false} rows={28} value={json} onChange={(e) => setJson(e.target.value)} aria-invalid={jsonError ? true : undefined} />
        </label>
      )}
      {jsonError && <p className="field-error" role="alert">{jsonError}</p>}
      <div className="form-actions">
        <Link to={editId ? appHref(editId) : '/'} className="button">Cancel</Link>
        <button type="submit" className="primary" disabled={busy}>{editId ? 'Save changes' : 'Create application'}</button>
      </div>
    </form>
  );
}
