// The `trireme` command: one binary, one verb per role.
import { Command } from 'commander';
import { TRIREME_VERSION } from '../common/version.ts';
import { masterCommand } from './master.ts';
import { agentCommand } from './agent.ts';
import { devCommand } from './dev.ts';
import { chronosCommand } from './chronos.ts';
import { marathonCommand } from './marathon.ts';
import { aliasAgentList, normalizeArgv } from './options.ts';
import { clusterCommand, agentsCommand } from './cluster.ts';
import { appCommand } from './app.ts';
import { taskCommand } from './task.ts';
import { deploymentCommand } from './deployment.ts';
import { jobCommand } from './job.ts';

const program = new Command('trireme')
  .description('Trireme: a data-center operating system (Mesos-compatible master and agents)')
  .version(TRIREME_VERSION)
  .showHelpAfterError(false)
  .configureOutput({ outputError: (str, write) => write(`trireme: ${str.replace(/^error: /, '')}`) });

program.addCommand(masterCommand());
program.addCommand(agentCommand());
program.addCommand(devCommand());
program.addCommand(chronosCommand());
program.addCommand(marathonCommand());
// Operator commands: talk to a running cluster's APIs.
program.addCommand(clusterCommand());
program.addCommand(agentsCommand());
program.addCommand(appCommand());
program.addCommand(taskCommand());
program.addCommand(deploymentCommand());
program.addCommand(jobCommand());
program.addHelpText('after', `
Operator commands (cluster, agents, app, task, deployment, job) exit with:
  0 done, 1 usage or API error, 2 not found, 3 API unreachable, 4 deployment failed, 5 --wait timed out,
  6 not authenticated (HTTP 401) or not allowed (HTTP 403)
Credentials: TRIREME_USER + TRIREME_PASSWORD, TRIREME_TOKEN, --user with --password-file, --token-file,
  or ~/.config/trireme/config.json ($TRIREME_CONFIG)`);

// Usage errors of every subcommand read "trireme: …" too (addCommand does not pass output settings down).
const applyOutput = (cmd: Command) => { for (const sub of cmd.commands) { sub.configureOutput(program.configureOutput()); applyOutput(sub); } };
applyOutput(program);

await program.parseAsync(aliasAgentList(normalizeArgv(process.argv)));
