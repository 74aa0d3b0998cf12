// Chronos' owner notifications: when a job fails beyond its retries, is disabled after too many failures
// (--disable-after-failures) or is deleted, each of the job's owners (its comma-separated `owner`) is told through
// every configured client: e-mail (--mail-server), an HTTP endpoint (--http-notification-url, Chronos' JSON body),
// Slack or Mattermost webhooks. Sending is fire-and-forget: a failing client is logged, never blocks the scheduler.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Job } from './job.ts';

export type JobNotice =
  | { kind: 'failed'; job: Job; taskId: string; at: string; schedulerMessage?: string }
  | { kind: 'disabled'; job: Job; taskId: string; at: string; schedulerMessage?: string }
  | { kind: 'deleted'; job: Job };

export interface Notification { subject: string; message?: string }

/** Subject and message as Chronos words them (cluster name in brackets first, when set). */
export function describeNotice(notice: JobNotice, clusterName?: string): Notification {
  const prefix = clusterName ? `[${clusterName}]` : '';
  const name = notice.job.name;
  const withScheduler = (msg: string, sm?: string) => (sm ? `${msg}The scheduler provided this message:\n\n${sm}` : msg);
  switch (notice.kind) {
    case 'deleted':
      return { subject: `${prefix} [Chronos] Your job '${name}' was deleted!` };
    case 'disabled':
      return {
        subject: `${prefix} [Chronos] job '${name}' disabled`,
        message: withScheduler(`\nFailed at '${notice.at}', ${notice.job.errorsSinceLastSuccess} failures since last success\nTask id: ${notice.taskId}\n`, notice.schedulerMessage),
      };
    case 'failed':
      return {
        subject: `${prefix} [Chronos] job '${name}' failed!`,
        message: withScheduler(`\n'${notice.at}'. Retries attempted: ${notice.job.retries}.\nTask id: ${notice.taskId}\n`, notice.schedulerMessage),
      };
  }
}

/** The owners to notify: the job's `owner` split on commas. */
export function ownersOf(job: Job): string[] {
  return job.owner.split(/\s*,\s*/).map((o) => o.trim()).filter(Boolean);
}

export interface NotificationClient {
  readonly name: string;
  send(job: Job, to: string, n: Notification): Promise<void>;
}

export class MailClient implements NotificationClient {
  readonly name = 'mail';
  private readonly transport: Transporter;
  private readonly from: string;

  constructor(o: { host: string; port: number; from: string; user?: string; password?: string; ssl: boolean }) {
    this.from = o.from;
    this.transport = nodemailer.createTransport({
      host: o.host, port: o.port, secure: o.ssl,
      ...(o.user && o.password ? { auth: { user: o.user, pass: o.password } } : {}),
    });
  }

  async send(_job: Job, to: string, n: Notification): Promise<void> {
    if (!to) return; // a job without an owner has nobody to mail
    await this.transport.sendMail({ from: this.from, to, subject: n.subject, text: n.message ?? '' });
  }
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
}

/** Chronos' HTTP notification: the job's fields as strings, plus subject, message and the recipient. */
export class HttpNotificationClient implements NotificationClient {
  readonly name = 'http';
  constructor(private readonly url: string, private readonly credentials?: string) {}

  async send(job: Job, to: string, n: Notification): Promise<void> {
    const body: Record<string, string> = {
      subject: n.subject, ...(n.message ? { message: n.message } : {}), ...(to ? { to } : {}),
      job: job.name, command: job.command, cpus: String(job.cpus), softError: String(job.softError), errorCount: String(job.errorCount),
      errorsSinceLastSuccess: String(job.errorsSinceLastSuccess), executor: job.executor, executorFlags: job.executorFlags,
      lastError: job.lastError, lastSuccess: job.lastSuccess, mem: String(job.mem), retries: String(job.retries),
      successCount: String(job.successCount), uris: [...job.fetch.map((f) => f.uri), ...job.uris].join(','),
    };
    await postJson(this.url, body, this.credentials ? { authorization: `Basic ${Buffer.from(this.credentials).toString('base64')}` } : {});
  }
}

/** Slack and Mattermost incoming webhooks: `{"text": "<subject>: <message>"}`. */
export class WebhookTextClient implements NotificationClient {
  constructor(readonly name: string, private readonly url: string) {}

  async send(_job: Job, _to: string, n: Notification): Promise<void> {
    await postJson(this.url, { text: n.message ? `${n.subject}: ${n.message}` : n.subject });
  }
}

export class JobNotifier {
  constructor(private readonly clients: NotificationClient[], private readonly logger: Logger, private readonly clusterName?: string) {}

  get enabled(): boolean { return this.clients.length > 0; }

  notify(notice: JobNotice): void {
    const n = describeNotice(notice, this.clusterName);
    this.logger.info({ job: notice.job.name, kind: notice.kind }, n.subject.trim());
    for (const client of this.clients) {
      // Without owners, webhook-style clients still hear of it once (with no recipient), as in Chronos.
      const owners = ownersOf(notice.job);
      for (const to of owners.length > 0 ? owners : ['']) {
        client.send(notice.job, to, n).catch((err: Error) => this.logger.warn({ client: client.name, to, job: notice.job.name, err: err.message }, 'notification failed'));
      }
    }
  }
}
