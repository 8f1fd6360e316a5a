import type { Command } from 'commander';
import type { GlobalOptions } from '../../cli/context.js';
import { examples } from '../help.js';

export function register(program: Command): void {
  program
    .command('init')
    .description('write a commented pi-cluster.yaml with every setting and its default')
    .option('--force', 'replace an existing file (the old one is kept as pi-cluster.yaml.bak)')
    .option('--stdout', 'print the file instead of writing it')
    .option('--generate-key', 'also create ~/.ssh/id_ed25519 if you have no SSH key pair')
    .addHelpText(
      'after',
      examples([
        ['pi-cluster init'],
        ['pi-cluster init --generate-key', 'first time on this computer'],
        ['pi-cluster --config lab.yaml init', 'another file name'],
        ['pi-cluster init --stdout | less'],
      ]),
    )
    .action(async (flags: { force?: boolean; stdout?: boolean; generateKey?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { initCommand } = await import('./action.js');
      await initCommand({
        path: globals.config,
        force: Boolean(flags.force),
        stdout: Boolean(flags.stdout),
        generateKey: Boolean(flags.generateKey),
      });
    });
}
