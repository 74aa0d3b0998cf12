// Readiness checks end to end: a deployment of an app with a readiness check stays in /v2/deployments (showing the
// check's results) while the task runs but does not answer ready, and finishes once it does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { eventually, startCluster, tempDir } from '../helpers/processes.ts';
import { api, startMarathonRole } from '../helpers/marathon.ts';

describe('marathon readiness checks', () => {
  it('hold a deployment until the new task answers ready', async () => {
    const cluster = await startCluster({ agents: 1, agentIpBase: 35, agentArgs: ['--resources', 'cpus:1;mem:512;disk:1000;ports:[31000-31100]'] });
    const marker = tempDir();
    const marathon = await startMarathonRole(cluster.masterAddress, cluster.dir);
    try {
      const flag = join(marker.path, 'ready');
      // The server only starts once the test creates the flag file: until then the readiness check cannot pass.
      const created = await api(marathon.url, 'POST', '/v2/apps', {
        id: '/ready-web', cpus: 0.1, mem: 32, portDefinitions: [{ port: 0, name: 'http' }],
        cmd: `while [ ! -f ${flag} ]; do sleep 0.2; done; exec python3 -m http.server --bind $HOST $PORT0`,
        readinessChecks: [{ name: 'ready', portName: 'http', path: '/', intervalSeconds: 1, timeoutSeconds: 1, preserveLastResponse: false }],
      });
      assert.equal(created.status, 201, created.text);
      const deploymentId = created.body.deployments[0].id;

      const waiting = await eventually(async () => {
        const app = (await api(marathon.url, 'GET', '/v2/apps/ready-web?embed=app.readiness')).body.app;
        return app.tasksRunning === 1 && app.readinessCheckResults.length === 1 ? app : undefined;
      }, 30_000);
      assert.equal(waiting.readinessCheckResults[0].ready, false);
      assert.equal(waiting.readinessCheckResults[0].name, 'ready');
      assert.equal(waiting.readinessCheckResults[0].taskId, waiting.tasks[0].id);
      const deployments = (await api(marathon.url, 'GET', '/v2/deployments')).body;
      assert.deepEqual(deployments.map((d: any) => d.id), [deploymentId], 'the deployment waits for readiness');
      assert.equal(deployments[0].currentActions[0].readinessCheckResults[0].ready, false);

      writeFileSync(flag, '');
      await eventually(async () => (await api(marathon.url, 'GET', '/v2/deployments')).body.length === 0, 30_000);
      const ready = (await api(marathon.url, 'GET', '/v2/apps/ready-web?embed=app.readiness')).body.app;
      assert.equal(ready.readinessCheckResults[0].ready, true);
      assert.equal(ready.readinessCheckResults[0].lastResponse.status, 200);
    } finally {
      await marathon.stop();
      await cluster.stop();
      marker.remove();
    }
  });
});
