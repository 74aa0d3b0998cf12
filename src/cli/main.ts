// The `trireme` command: one binary, one verb per role.
import { Command } from 'commander';
import { TRIREME_VERSION } from '../common/version.ts';
import { masterCommand } from './master.ts';
import { agentCommand } from './agent.ts';
import { devCommand } from './dev.ts';
import { chronosCommand } from './chronos.ts';
import { marathonCommand } from './marathon.ts';
import { normalizeArgv } from './options.ts';

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

await program.parseAsync(normalizeArgv(process.argv));
