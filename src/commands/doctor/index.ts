import type { Command } from 'commander';
import type { GlobalOptions } from '../../cli/context.js';
import { examples } from '../help.js';

export function register(program: Command): void {
  program
    .command('doctor')
    .description(
      'check the local prerequisites of each command (Ansible, Terraform, kubectl, SSH key, disk access) and say how to fix each',
    )
    .option('--json', 'print the findings as JSON')
    .option('--write-config', 'also write a commented pi-cluster.yaml (same as `pi-cluster init`)')
    .addHelpText(
      'after',
      examples([
        ['pi-cluster doctor'],
        ['pi-cluster doctor --json', 'for scripts'],
        ['pi-cluster doctor --write-config', 'then edit pi-cluster.yaml'],
      ]),
    )
    .action(async (flags: { json?: boolean; writeConfig?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { doctorCommand } = await import('./action.js');
      await doctorCommand({
        json: Boolean(flags.json),
        writeConfig: Boolean(flags.writeConfig),
        configPath: globals.config,
        color: globals.color,
      });
    });
}
