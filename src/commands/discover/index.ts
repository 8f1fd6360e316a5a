import type { Command } from 'commander';
import type { GlobalOptions } from '../../cli/context.js';
import { collect } from '../flags.js';
import { examples } from '../help.js';

interface DiscoverFlags {
  timeout: string;
  interface?: string[];
  prefix?: string;
  masters?: string;
  master?: string[];
  inventory: string;
  sweep?: string;
  sshKey?: string;
  expect?: string;
  json?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  replaceKey?: string[];
}

export function register(program: Command): void {
  program
    .command('discover')
    .description('find the booted Pis over mDNS, check them over SSH, and write the pi-hosts inventory and known hosts')
    .option('--timeout <duration>', 'longest time to look for hosts (stops earlier once no new host answers)', '5s')
    .option('--interface <name|address>', 'browse only this interface (repeatable; default: every up multicast IPv4 interface)', collect)
    .option('--prefix <prefix>', 'cluster hosts are named <prefix><N> (default: hosts.prefix of pi-cluster.yaml, pi)')
    .option('--masters <n>', 'the N lowest-numbered new hosts are masters (hosts already in pi-hosts keep their role)')
    .option('--master <name>', 'this host is a master (repeatable)', collect)
    .option('--inventory <file>', 'Ansible inventory to write or merge into', 'pi-hosts')
    .option(
      '--sweep <cidr>',
      'find hosts by TCP 22 on every address of this range instead of mDNS, for networks that block multicast (with --interface: both)',
    )
    .option('--ssh-key <path>', 'private key (or its .pub) the Pis accept for root (default: ssh.privateKey, else ~/.ssh/id_ed25519)')
    .option('--expect <n>', 'stop looking as soon as N cluster hosts are found')
    .option('--json', 'print the hosts and roles as JSON (progress goes to stderr)')
    .option('-y, --yes', 'do not ask: default roles, accept host keys seen for the first time, write without confirmation')
    .option(
      '--replace-key <name>',
      'accept the changed host key of this host, e.g. after re-flashing it (repeatable; never implied by --yes)',
      collect,
    )
    .option('--dry-run', 'show what would change, write nothing')
    .addHelpText(
      'after',
      examples([
        ['pi-cluster discover', 'asks which hosts are masters'],
        ['pi-cluster discover --masters 1 --yes', 'for scripts: lowest-numbered host is the master'],
        ['pi-cluster discover --master pi2 --interface eth0'],
        ['pi-cluster discover --expect 4 --timeout 2m --masters 1 -y', 'wait for all 4 Pis (one still booting); stop when they are there'],
        ['pi-cluster discover --sweep 192.168.1.0/24', 'multicast blocked on your network'],
        ['pi-cluster discover --json --yes | jq .roles'],
        ['pi-cluster discover --replace-key pi3 --yes', 'pi3 was re-installed and has a new host key'],
      ]),
    )
    .action(async (flags: DiscoverFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { discoverCommand } = await import('./action.js');
      await discoverCommand({
        timeout: flags.timeout,
        interfaces: flags.interface ?? [],
        prefix: flags.prefix,
        masters: flags.masters,
        master: flags.master ?? [],
        inventory: flags.inventory,
        sweep: flags.sweep,
        sshKey: flags.sshKey,
        expect: flags.expect,
        json: Boolean(flags.json),
        yes: Boolean(flags.yes),
        replaceKey: flags.replaceKey,
        dryRun: Boolean(flags.dryRun),
        configPath: globals.config,
        color: globals.color,
        verbose: globals.verbose,
      });
    });
}
