// `trireme deployment list|cancel`: Marathon's running deployments.
import { Command } from 'commander';
import { MarathonClient } from './ops/marathon-client.ts';
import { action, print, printJson, table, withEndpoints, type Endpoints } from './output.ts';

export function deploymentCommand(): Command {
  const deployment = new Command('deployment').description('Marathon deployments in progress');

  deployment.addCommand(withEndpoints(new Command('list')).description('deployments with affected apps, step and current actions')
    .action(action(async (o: Endpoints) => {
      const list = await new MarathonClient(o.marathon).deployments();
      if (o.json) return printJson(list);
      print(table(['ID', 'APPS', 'STEP', 'ACTIONS', 'VERSION'], list.map((d) => [
        d.id, d.affectedApps.join(','), `${d.currentStep}/${d.totalSteps}`,
        d.currentActions.map((a) => `${a.action}${a.app ? ` ${a.app}` : ''}`).join(', '), d.version,
      ])));
    })));

  deployment.addCommand(withEndpoints(new Command('cancel')).description('cancel a deployment: Marathon rolls back to the previous state (--force: just stop it)').argument('<id>')
    .option('--force', 'stop the deployment without a rollback', false)
    .action(action(async (id: string, o: Endpoints & { force: boolean }) => {
      const rollback = await new MarathonClient(o.marathon).cancelDeployment(id, o.force);
      if (o.json) return printJson({ id, cancelled: true, rollbackDeploymentId: rollback?.deploymentId });
      print(`deployment ${id}: cancelled${rollback ? ` (rollback deployment ${rollback.deploymentId})` : ''}`);
    })));
  return deployment;
}
