// Create or edit a job. Scheduled jobs use the schedule builder (with a preview of the next runs); dependent jobs
// pick their parents. The API's 400 message is shown next to the field it names, otherwise above the form.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../shared/api.ts';
import { errorsByField } from '../../shared/fieldErrors.ts';
import { ErrorBanner, Loading } from '../../shared/Shell.tsx';
import { useApi } from '../../shared/useApi.ts';
import { ArgumentsEditor } from '../components/ArgumentsEditor.tsx';
import { ConstraintsEditor } from '../components/ConstraintsEditor.tsx';
import { ContainerEditor } from '../components/ContainerEditor.tsx';
import { EnvEditor } from '../components/EnvEditor.tsx';
import { Field } from '../components/Field.tsx';
import { FilesEditor } from '../components/FilesEditor.tsx';
import { ParentsPicker } from '../components/ParentsPicker.tsx';
import { ScheduleBuilder } from '../components/ScheduleBuilder.tsx';
import { scheduleOf } from '../schedule.ts';
import { FORM_FIELDS, FORM_MESSAGE_RULES, formFromJob, jobFromForm, newForm, type JobForm } from '../job-form.ts';
import { saveJob } from '../jobs-api.ts';
import { useJobs } from '../jobs-store.tsx';
import type { Job } from '../types.ts';

export function JobFormPage() {
  const editing = useParams().name;
  const loaded = useApi<Job>(editing ? `/v1/scheduler/job/${encodeURIComponent(editing)}` : undefined);
  if (editing && !loaded.data) return loaded.error ? <ErrorBanner error={loaded.error} /> : <Loading />;
  return <JobFormView key={editing ?? ''} editing={editing ? loaded.data : undefined} />;
}

function JobFormView({ editing }: { editing: Job | undefined }) {
  const [form, setForm] = useState<JobForm>(() => (editing ? formFromJob(editing) : newForm()));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const navigate = useNavigate();
  const { jobs } = useJobs();
  const names = useMemo(() => (jobs ?? []).map((j) => j.name), [jobs]);
  const set = <K extends keyof JobForm>(k: K, v: JobForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  useEffect(() => { document.title = `${editing ? `Edit ${editing.name}` : 'New job'} · Chronos`; }, [editing]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true); setErrors({}); setGeneral([]);
    const job = jobFromForm(form, scheduleOf(form.schedule), editing);
    try {
      if (form.kind === 'dependency' && form.parents.length === 0) {
        setErrors({ parents: 'parents: choose at least one job this job runs after' });
        return;
      }
      await saveJob(job);
      navigate(`/jobs/${encodeURIComponent(job.name!)}`);
    } catch (err) {
      const message = err instanceof ApiError || err instanceof Error ? err.message : String(err);
      const found = errorsByField(message, FORM_FIELDS, FORM_MESSAGE_RULES);
      setErrors(found.byField); setGeneral(found.general);
    } finally { setSaving(false); }
  };

  const err = (k: string) => errors[k];
  const anyError = general.length > 0 || Object.keys(errors).length > 0;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs"><Link to="/">Jobs</Link> / {editing ? <><Link to={`/jobs/${encodeURIComponent(editing.name)}`}>{editing.name}</Link> / <span>Edit</span></> : <span>New job</span>}</nav>
      <h1>{editing ? `Edit ${editing.name}` : 'New job'}</h1>
      <form className="job-form" onSubmit={(e) => void submit(e)} aria-label={editing ? 'Edit job' : 'New job'} noValidate>
        {anyError && (
          <div role="alert" className="error-banner">
            The job was not saved{general.length > 0 ? `: ${general.join('; ')}` : '; see the highlighted fields.'}
          </div>
        )}
        <section className="panel grid">
          <Field label="Name" error={err('name')} hint={editing ? 'A job cannot be renamed.' : 'Letters, digits, "_", "." and "-".'}>
            {(p) => <input {...p} value={form.name} readOnly={!!editing} required autoComplete="off" onChange={(e) => set('name', e.target.value)} />}
          </Field>
          <Field label="Owner" error={err('owner')} hint="E-mail address(es), comma separated.">
            {(p) => <input {...p} value={form.owner} onChange={(e) => set('owner', e.target.value)} />}
          </Field>
          <Field label="Description" error={err('description')} wide>
            {(p) => <input {...p} value={form.description} onChange={(e) => set('description', e.target.value)} />}
          </Field>
          <Field label="Command" error={err('command')} wide>
            {(p) => <textarea {...p} rows={3} className="mono" value={form.command} onChange={(e) => set('command', e.target.value)} />}
          </Field>
          <label className="check wide"><input type="checkbox" checked={form.shell} onChange={(e) => set('shell', e.target.checked)} /> Use a shell (/bin/sh -c)</label>
          <div className="wide">
            <ArgumentsEditor value={form.arguments} onChange={(v) => set('arguments', v)} shell={form.shell} error={err('arguments')} />
          </div>
        </section>

        <section className="panel">
          <div className="segmented" role="radiogroup" aria-label="When it runs">
            <label><input type="radio" name="kind" checked={form.kind === 'schedule'} onChange={() => set('kind', 'schedule')} /> On a schedule</label>
            <label><input type="radio" name="kind" checked={form.kind === 'dependency'} onChange={() => set('kind', 'dependency')} /> After other jobs</label>
          </div>
          {form.kind === 'schedule'
            ? <ScheduleBuilder value={form.schedule} onChange={(v) => set('schedule', v)} error={err('schedule')} />
            : <ParentsPicker all={names} value={form.parents} onChange={(v) => set('parents', v)} exclude={form.name} error={err('parents')} />}
        </section>

        <section className="panel grid">
          <Field label="CPUs" error={err('cpus')}>{(p) => <input {...p} inputMode="decimal" value={form.cpus} onChange={(e) => set('cpus', e.target.value)} />}</Field>
          <Field label="Memory (MB)" error={err('mem')}>{(p) => <input {...p} inputMode="decimal" value={form.mem} onChange={(e) => set('mem', e.target.value)} />}</Field>
          <Field label="Disk (MB)" error={err('disk')}>{(p) => <input {...p} inputMode="decimal" value={form.disk} onChange={(e) => set('disk', e.target.value)} />}</Field>
          <Field label="Retries" error={err('retries')} hint="Attempts after a failure.">{(p) => <input {...p} inputMode="numeric" value={form.retries} onChange={(e) => set('retries', e.target.value)} />}</Field>
          <Field label="Epsilon (seconds)" error={err('epsilon')} hint="How late a run may start; blank = the server's default.">{(p) => <input {...p} inputMode="numeric" value={form.epsilonSeconds} onChange={(e) => set('epsilonSeconds', e.target.value)} />}</Field>
          <Field label="Run as user" error={err('runAsUser')} hint="Blank = the scheduler's default user.">{(p) => <input {...p} autoComplete="off" value={form.runAsUser} onChange={(e) => set('runAsUser', e.target.value)} />}</Field>
          <div className="checks wide">
            <label className="check"><input type="checkbox" checked={form.concurrent} onChange={(e) => set('concurrent', e.target.checked)} /> Concurrent (runs may overlap)</label>
            <label className="check"><input type="checkbox" checked={form.async} onChange={(e) => set('async', e.target.checked)} /> Async (completes by callback)</label>
            <label className="check"><input type="checkbox" checked={form.disabled} onChange={(e) => set('disabled', e.target.checked)} /> Disabled</label>
            <label className="check"><input type="checkbox" checked={form.softError} onChange={(e) => set('softError', e.target.checked)} /> Soft error (children run even after it finally fails)</label>
            <label className="check"><input type="checkbox" checked={form.highPriority} onChange={(e) => set('highPriority', e.target.checked)} /> High priority (first in the queue)</label>
            <label className="check"><input type="checkbox" checked={form.dataProcessingJobType} onChange={(e) => set('dataProcessingJobType', e.target.checked)} /> Data-processing job (a tag, stored for Chronos clients)</label>
          </div>
        </section>

        <section className="panel">
          <FilesEditor value={form.fetch} onChange={(v) => set('fetch', v)} error={err('uris') ?? err('fetch')} />
        </section>

        <section className="panel">
          <EnvEditor value={form.env} onChange={(v) => set('env', v)} error={err('environmentVariables')} />
        </section>

        <section className="panel">
          <ConstraintsEditor value={form.constraints} onChange={(v) => set('constraints', v)} error={err('constraints')} />
        </section>

        <section className="panel">
          <ContainerEditor value={form} onChange={(patch) => setForm((f) => ({ ...f, ...patch }))} error={err('container')} />
        </section>

        <div className="toolbar">
          <button type="submit" className="primary" disabled={saving}>{editing ? 'Save job' : 'Create job'}</button>
          <Link className="button" to={editing ? `/jobs/${encodeURIComponent(editing.name)}` : '/'}>Cancel</Link>
        </div>
      </form>
    </>
  );
}
