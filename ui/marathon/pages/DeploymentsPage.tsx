// Running deployments, live: progress (step n of m), the apps they touch and what each step does, with roll back
// (DELETE: a new deployment undoing it) and force-cancel (DELETE ?force=true: stop where it is).
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../shared/api.ts';
import { ConfirmButton } from '../../shared/ConfirmButton.tsx';
import { ErrorBanner, Loading } from '../../shared/Shell.tsx';
import { relativeTime } from '../../shared/format.ts';
import type { Deployment } from '../lib/types.ts';
import { store, useMarathon } from '../live.tsx';
import { appHref } from '../routes.ts';

const ACTION_WORDS: Record<string, string> = {
  StartApplication: 'start', StopApplication: 'stop', ScaleApplication: 'scale', RestartApplication: 'restart', ResolveArtifacts: 'resolve artifacts',
};

function DeploymentCard({ d, onError }: { d: Deployment; onError(e: unknown): void }) {
  const cancel = async (force: boolean) => {
    try {
      await api(`/v2/deployments/${encodeURIComponent(d.id)}${force ? '?force=true' : ''}`, { method: 'DELETE' });
      store.touch(d.affectedApps);
    } catch (err) { onError(err); }
  };
  const pct = d.totalSteps > 0 ? Math.round((Math.max(0, d.currentStep - 1) / d.totalSteps) * 100) : 0;
  return (
    <article className="panel deployment" aria-label={`Deployment ${d.id}`}>
      <header className="deployment-head">
        <div>
          <div className="mono small">{d.id}</div>
          <div className="muted">started {relativeTime(d.version)}</div>
        </div>
        <div className="actions">
          <ConfirmButton label="Roll back" title="Roll back this deployment?" body="Starts a new deployment that returns the affected apps to their previous configuration." confirmLabel="Roll back" onConfirm={() => cancel(false)} />
          <ConfirmButton label="Force cancel" title="Stop this deployment where it is?" body="The apps stay as they are now, half-deployed; no rollback is made." confirmLabel="Force cancel" danger onConfirm={() => cancel(true)} />
        </div>
      </header>
      <div className="progress-line">
        <progress max={d.totalSteps} value={Math.max(0, d.currentStep - 1)} aria-label={`Step ${d.currentStep} of ${d.totalSteps}`} />
        <span>Step {d.currentStep} of {d.totalSteps} ({pct}% done)</span>
      </div>
      <p>Apps: {d.affectedApps.map((a, i) => <span key={a}>{i > 0 && ', '}<Link className="mono" to={appHref(a)}>{a}</Link></span>)}</p>
      <ol className="steps">
        {d.steps.map((s, i) => (
          <li key={i} className={i + 1 < d.currentStep ? 'done' : i + 1 === d.currentStep ? 'current' : undefined} aria-current={i + 1 === d.currentStep ? 'step' : undefined}>
            {s.actions.map((a) => `${ACTION_WORDS[a.action] ?? a.action} ${a.app}`).join(', ')}
          </li>
        ))}
      </ol>
    </article>
  );
}

export function DeploymentsPage() {
  const { deployments, loaded, error } = useMarathon();
  const [actionError, setActionError] = useState<unknown>();
  return (
    <>
      <h1>Deployments</h1>
      <ErrorBanner error={error ?? actionError} />
      {!loaded ? <Loading /> : deployments.length === 0 ? <p className="muted" role="status">No deployment is running.</p> : (
        <div className="deployments">{deployments.map((d) => <DeploymentCard key={d.id} d={d} onError={setActionError} />)}</div>
      )}
    </>
  );
}
