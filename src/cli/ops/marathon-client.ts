// Marathon's v2 REST API and its /v2/events stream, as the operator CLI needs them.
import { authFailure, baseUrl, CliError, cliTls, request, requestAuthHeaders } from './http.ts';
import { describeConnectionError } from '../../security/tls.ts';

export interface MarathonApp {
  id: string; cmd?: string; instances: number; cpus: number; mem: number; disk?: number; version?: string;
  tasksRunning?: number; tasksStaged?: number; tasksHealthy?: number; tasksUnhealthy?: number;
  deployments?: { id: string }[]; tasks?: MarathonTask[]; labels?: Record<string, string>;
  container?: { docker?: { image?: string } }; lastTaskFailure?: { message?: string; state?: string; timestamp?: string };
  [field: string]: unknown;
}
export interface MarathonTask { id: string; appId: string; host: string; ports?: number[]; state?: string; startedAt?: string; healthCheckResults?: { alive: boolean }[] }
export interface Deployment { id: string; version: string; affectedApps: string[]; currentStep: number; totalSteps: number; currentActions: { action: string; app?: string }[] }
export interface DeploymentResult { deploymentId: string; version: string }
export interface MarathonEvent { eventType: string; [field: string]: unknown }

/** "web" and "/web" name the same app; the path goes into the URL without its leading slash. */
export function appPath(id: string): string {
  return id.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/');
}

export class MarathonClient {
  readonly url: string;
  constructor(address: string) { this.url = baseUrl(address); }

  async info(): Promise<{ frameworkId?: string; name?: string; version?: string }> {
    return request(`${this.url}/v2/info`);
  }
  async apps(): Promise<MarathonApp[]> {
    return (await request<{ apps: MarathonApp[] }>(`${this.url}/v2/apps`, { query: { embed: 'apps.counts' } })).apps;
  }
  async app(id: string): Promise<MarathonApp> {
    return (await request<{ app: MarathonApp }>(`${this.url}/v2/apps/${appPath(id)}`)).app;
  }
  async create(def: unknown, force = false): Promise<{ app: MarathonApp; deploymentId?: string }> {
    const app = await request<MarathonApp>(`${this.url}/v2/apps`, { method: 'POST', body: def, query: { force: force || undefined } });
    return { app, deploymentId: app.deployments?.[0]?.id };
  }
  async update(id: string, def: unknown, force = false): Promise<DeploymentResult> {
    return request<DeploymentResult>(`${this.url}/v2/apps/${appPath(id)}`, { method: 'PUT', body: def, query: { force: force || undefined } });
  }
  async restart(id: string, force = false): Promise<DeploymentResult> {
    return request<DeploymentResult>(`${this.url}/v2/apps/${appPath(id)}/restart`, { method: 'POST', query: { force: force || undefined } });
  }
  async destroy(id: string, force = false): Promise<DeploymentResult> {
    return request<DeploymentResult>(`${this.url}/v2/apps/${appPath(id)}`, { method: 'DELETE', query: { force: force || undefined } });
  }
  async deployments(): Promise<Deployment[]> {
    return request<Deployment[]>(`${this.url}/v2/deployments`);
  }
  async cancelDeployment(id: string, force = false): Promise<DeploymentResult | undefined> {
    return request<DeploymentResult | undefined>(`${this.url}/v2/deployments/${encodeURIComponent(id)}`, { method: 'DELETE', query: { force: force || undefined } });
  }
  async killTask(taskId: string, scale = false): Promise<{ deploymentId?: string; tasks?: MarathonTask[] }> {
    return request(`${this.url}/v2/tasks/delete`, { method: 'POST', body: { ids: [taskId] }, query: { scale: scale || undefined } });
  }

  /**
   * Subscribes to /v2/events (only the given types) and calls `onEvent` for each; resolves once attached.
   * The returned function detaches.
   */
  async subscribe(types: string[], onEvent: (e: MarathonEvent) => void): Promise<() => void> {
    const controller = new AbortController();
    const url = new URL(`${this.url}/v2/events`);
    for (const t of types) url.searchParams.append('event_type', t);
    let res: Response;
    try {
      res = await cliTls().fetch(url, { headers: { Accept: 'text/event-stream', ...requestAuthHeaders(url.toString()) }, signal: controller.signal });
    } catch (err) {
      throw new CliError('unreachable', `cannot reach ${url.host}: ${describeConnectionError(err) ?? (err as Error).message}`);
    }
    if (res.status === 401 || res.status === 403) throw authFailure(res.status, url.host, `event stream: HTTP ${res.status}`, requestAuthHeaders(url.toString()).Authorization !== undefined);
    if (!res.ok || !res.body) throw new CliError('api', `event stream: HTTP ${res.status}`);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
            if (data) { try { onEvent(JSON.parse(data) as MarathonEvent); } catch { /* not JSON: skip */ } }
          }
        }
      } catch { /* aborted or the stream broke: the caller's polling carries on */ }
    })();
    return () => controller.abort();
  }
}
