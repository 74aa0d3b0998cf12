// `trireme app …`: Marathon apps — list, show, create, update, scale, restart, suspend, destroy (with --wait).
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { durationArg, nonNegativeInt } from './options.ts';
import { CliError } from './ops/http.ts';
import { MarathonClient, type MarathonApp } from './ops/marathon-client.ts';
import { watchDeployments } from './ops/deployment-watch.ts';
import { progressLine, type Progress } from './ops/views.ts';
import { action, colour, num, print, printJson, stateColour, table, withEndpoints, type Endpoints } from './output.ts';

interface WriteOpts extends Endpoints { wait: boolean; timeout: number; force: boolean; file?: string }


/** Reads an app/job definition file ('-' = stdin); a bad file is one line naming it. */
export function readJsonFile(path: string): Record<string, unknown> {
  let text: string;
  try { text = readFileSync(path === '-' ? 0 : path, 'utf8'); } catch (err) { throw new CliError('usage', `-f ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`); }
  let value: unknown;
  try { value = JSON.parse(text); } catch (err) { throw new CliError('usage', `-f ${path}: not valid JSON: ${(err as Error).message}`); }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError('usage', `-f ${path}: expected a JSON object`);
  return value as Record<string, unknown>;
}

export function appStatus(app: MarathonApp): string {
  if ((app.deployments ?? []).length > 0) return 'deploying';
  if (app.instances === 0) return 'suspended';
  if ((app.tasksRunning ?? 0) < app.instances) return 'waiting';
  if ((app.tasksUnhealthy ?? 0) > 0) return 'unhealthy';
  return 'running';
}

/** Prints progress on stderr: a live line on a TTY, otherwise a line each time it changes (seconds aside). */
function progressPrinter(): { update(p: Progress): void; done(): void } {
  const tty = Boolean(process.stderr.isTTY);
  let last = '';
  return {
    update(p) {
      const line = progressLine(p);
      if (tty) { process.stderr.write(`\r\x1b[2K${line}`); return; }
      const key = line.replace(/ · \d+s$/, '');
      if (key !== last) process.stderr.write(`${line}\n`);
      last = key;
    },
    done() { if (tty) process.stderr.write('\n'); },
  };
}

/** Runs a write that starts a deployment; with --wait follows it to the end (exit 4 failed, 5 timed out). */
async function deploy(o: WriteOpts, appId: string, verb: string, call: (m: MarathonClient) => Promise<string | undefined>, destroying = false): Promise<void> {
  const m = new MarathonClient(o.marathon);
  const watch = o.wait ? await watchDeployments(m) : undefined;
  try {
    const deploymentId = await call(m);
    if (!watch || !deploymentId) {
      if (o.json) return printJson({ id: appId, deploymentId });
      return print(`app ${appId}: ${verb} (deployment ${deploymentId ?? 'none'})`);
    }
    const printer = o.json ? undefined : progressPrinter();
    let final: Progress;
    try {
      final = await watch.wait(deploymentId, { appId, destroying, timeoutMs: o.timeout, onProgress: (p) => printer?.update(p) });
    } finally { printer?.done(); }
    if (o.json) return printJson({ id: appId, deploymentId, done: true, running: final.running, instances: final.wanted });
    print(destroying ? `app ${appId}: destroyed` : `app ${appId}: ${verb}, deployment ${deploymentId} done: ${colour.green(`${final.running}/${final.wanted} running`)}`);
  } finally { watch?.close(); }
}

function writeCommand(name: string, description: string): Command {
  return withEndpoints(new Command(name)).description(description)
    .option('--wait', 'follow the deployment until it is done (progress on stderr)', false)
    .addOption(new Option('--timeout <duration>', 'with --wait: give up after this long (exit 5)').default(300_000, '5mins').argParser(durationArg))
    .option('--force', 'override a deployment that holds the app', false);
}

const normId = (id: string) => `/${id.replace(/^\/+/, '')}`;

export function appCommand(): Command {
  const app = new Command('app').description('Marathon apps');

  app.addCommand(withEndpoints(new Command('list')).description('apps with instances running/wanted, resources and status')
    .action(action(async (o: Endpoints) => {
      const apps = await new MarathonClient(o.marathon).apps();
      if (o.json) return printJson(apps);
      print(table(['ID', 'INSTANCES', 'CPUS', 'MEM', 'STATUS', 'COMMAND/IMAGE'], apps.map((a) => [
        a.id, `${a.tasksRunning ?? 0}/${a.instances}`, num(a.cpus), num(a.mem), stateColour(appStatus(a)),
        (a.container?.docker?.image ?? a.cmd ?? '').slice(0, 50),
      ])));
    })));

  app.addCommand(withEndpoints(new Command('show')).description('one app: its definition summary and its tasks with host:port').argument('<id>', 'app id, e.g. /web or web')
    .action(action(async (id: string, o: Endpoints) => {
      const a = await new MarathonClient(o.marathon).app(normId(id));
      if (o.json) return printJson(a);
      const label = (l: string) => colour.bold(l.padEnd(13));
      const lines = [
        `${label('ID')}${a.id}`,
        `${label('Status')}${stateColour(appStatus(a))}`,
        `${label('Instances')}${a.tasksRunning ?? 0}/${a.instances} running${a.tasksHealthy || a.tasksUnhealthy ? `, ${a.tasksHealthy ?? 0} healthy, ${a.tasksUnhealthy ?? 0} unhealthy` : ''}`,
        `${label('Resources')}cpus ${num(a.cpus)}, mem ${num(a.mem)}, disk ${num(a.disk ?? 0)}`,
        ...(a.cmd ? [`${label('Command')}${a.cmd}`] : []),
        ...(a.container?.docker?.image ? [`${label('Image')}${a.container.docker.image}`] : []),
        `${label('Version')}${a.version ?? ''}`,
        ...((a.deployments ?? []).length > 0 ? [`${label('Deployments')}${(a.deployments ?? []).map((d) => d.id).join(', ')}`] : []),
        ...(a.lastTaskFailure ? [`${label('Last failure')}${a.lastTaskFailure.state ?? ''} ${a.lastTaskFailure.message ?? ''} (${a.lastTaskFailure.timestamp ?? ''})`] : []),
        '',
        table(['TASK', 'STATE', 'HOST:PORTS', 'HEALTH', 'STARTED'], (a.tasks ?? []).map((t) => [
          t.id, stateColour(t.state ?? ''), t.ports && t.ports.length > 0 ? `${t.host}:${t.ports.join(',')}` : t.host,
          t.healthCheckResults && t.healthCheckResults.length > 0 ? stateColour(t.healthCheckResults.every((h) => h.alive) ? 'healthy' : 'unhealthy') : '-', t.startedAt ?? '',
        ])),
      ];
      print(lines.join('\n'));
    })));

  app.addCommand(writeCommand('create', 'create an app from a JSON definition').requiredOption('-f, --file <path>', 'app definition (JSON; - = stdin)')
    .action(action(async (o: WriteOpts) => {
      const def = readJsonFile(o.file!);
      const id = typeof def.id === 'string' ? normId(def.id) : '?';
      await deploy(o, id, 'created', async (m) => (await m.create(def, o.force)).deploymentId);
    })));

  app.addCommand(writeCommand('update', 'change an app: fields in the file replace those of the app').argument('<id>', 'app id, e.g. /web or web').requiredOption('-f, --file <path>', 'fields to change (JSON; - = stdin)')
    .action(action(async (id: string, o: WriteOpts) => {
      const def = readJsonFile(o.file!);
      await deploy(o, normId(id), 'updated', async (m) => (await m.update(normId(id), def, o.force)).deploymentId);
    })));

  app.addCommand(writeCommand('scale', 'set the number of instances').argument('<id>', 'app id, e.g. /web or web').argument('<instances>', 'instances wanted', nonNegativeInt)
    .action(action(async (id: string, n: number, o: WriteOpts) => {
      await deploy(o, normId(id), `scaled to ${n}`, async (m) => {
        await m.app(normId(id)); // unknown app: "does not exist" (exit 2) rather than an implicit create
        return (await m.update(normId(id), { instances: n }, o.force)).deploymentId;
      });
    })));

  app.addCommand(writeCommand('restart', 'replace every instance (rolling, by the upgrade strategy)').argument('<id>', 'app id, e.g. /web or web')
    .action(action(async (id: string, o: WriteOpts) => {
      await deploy(o, normId(id), 'restarted', async (m) => (await m.restart(normId(id), o.force)).deploymentId);
    })));

  app.addCommand(writeCommand('suspend', 'scale to 0 instances, keeping the definition').argument('<id>', 'app id, e.g. /web or web')
    .action(action(async (id: string, o: WriteOpts) => {
      await deploy(o, normId(id), 'suspended', async (m) => {
        await m.app(normId(id));
        return (await m.update(normId(id), { instances: 0 }, o.force)).deploymentId;
      });
    })));

  app.addCommand(writeCommand('destroy', 'stop every instance and delete the app').argument('<id>', 'app id, e.g. /web or web')
    .action(action(async (id: string, o: WriteOpts) => {
      await deploy(o, normId(id), 'destroying', async (m) => (await m.destroy(normId(id), o.force)).deploymentId, true);
    })));
  return app;
}
