import { Command, CommanderError } from 'commander';
import { reportFailure } from './boundary.js';
import { commands } from '../commands/index.js';
import { packageVersion } from '../paths.js';

/** Builds the command tree. Command files are thin: heavy modules load only inside an action. */
export function buildProgram(argv: readonly string[] = process.argv): Command {
  const program = new Command('pi-cluster')
    .description('From Raspberry Pis and blank SD cards to a Kubernetes home lab: flash, discover, bootstrap, make apply.')
    .option('-V, --version', 'print the version (with --verbose: also the Node.js running it)')
    .option('-c, --config <path>', 'config file (default: ./pi-cluster.yaml; built-in defaults when absent)')
    .option('-v, --verbose', 'print details (and the cause of errors)', false)
    .option('--no-color', 'plain output without colours')
    .showSuggestionAfterError(true)
    // Flag errors (printed by commander) also end with a hint line, like every other user error.
    .showHelpAfterError('hint: `pi-cluster <command> --help` lists the flags with examples')
    .exitOverride()
    .addHelpText(
      'after',
      `
The walk-through:
  $ pi-cluster init                       # write a commented pi-cluster.yaml (optional: defaults work)
  $ pi-cluster doctor                     # check ansible, terraform, kubectl, your SSH key
  $ pi-cluster flash --hostnames pi0,pi1,pi2 --device /dev/sdb
  $ pi-cluster discover --masters 1       # find the booted Pis, write ./pi-hosts
  $ pi-cluster bootstrap                  # Ansible layers up to a kubeadm cluster
  $ make apply                            # add-ons: flannel, MetalLB, Traefik, AdGuard, monitoring

Run \`pi-cluster <command> --help\` for a command's options and examples.`,
    );
  program.on('option:version', () => {
    // --verbose may come before or after --version: look at the whole command line, not only what is parsed yet.
    const verbose = Boolean(program.opts().verbose) || argv.some((arg) => arg === '--verbose' || arg === '-v');
    process.stdout.write(versionText(verbose));
    throw new CommanderError(0, 'commander.version', 'version printed');
  });
  for (const register of commands) register(program);
  return program;
}

/** `--version`: the package version; with --verbose also the Node.js release, where it runs from and the platform. */
export function versionText(verbose: boolean): string {
  const lines = [packageVersion()];
  if (verbose) lines.push(`Node.js ${process.version} (${process.execPath}), ${process.platform}-${process.arch}`);
  return `${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram(argv);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander already printed its message
    return reportFailure(error, Boolean(program.opts().verbose));
  }
}
