// The virtual Pi lab by hand: bring hosts up, look at them, pull a plug, take it all down.
//   node dist/test/lab/cli.js up [N] [--prefix pi] | status | stop HOST | start HOST | down   [--name pclab]
// Hosts outlive this command; `down` removes them. Errors end with exit code 1 (never process.exit).
import { parseArgs } from 'node:util';
import { Lab, type LabHost } from './lab.js';

const USAGE = `usage: node dist/test/lab/cli.js <command> [--name LAB]
  up [N] [--prefix pi]   bring up N virtual Pis (default 3), replacing the lab of that name
  status                 list the hosts and how to reach them
  stop HOST              kill a host's processes, like pulling its power (its disk stays)
  start HOST             boot a stopped host again
  down                   remove the lab: processes, namespaces, bridge, files`;

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string', default: 'pclab' },
      prefix: { type: 'string', default: 'pi' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, argument] = positionals;
  const name = values.name;
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  switch (values.help ? 'help' : command) {
    case 'up': {
      const count = argument === undefined ? 3 : Number(argument);
      if (!Number.isInteger(count) || count < 1) throw new Error(`up: "${argument}" is not a number of hosts`);
      const lab = new Lab({ name, cleanupOnExit: false, log });
      const started = Date.now();
      await lab.up(count, { prefix: values.prefix });
      log(`lab "${name}": ${count} hosts up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      printLab(lab);
      return;
    }
    case 'status':
      printLab(Lab.open(name, { log }));
      return;
    case 'stop':
    case 'start': {
      if (!argument) throw new Error(`${command}: which host?`);
      const lab = Lab.open(name, { log });
      await (command === 'stop' ? lab.stop(argument) : lab.start(argument));
      printLab(lab);
      return;
    }
    case 'down': {
      const started = Date.now();
      await new Lab({ name, cleanupOnExit: false }).down();
      log(`lab "${name}": down in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return;
    }
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new Error(`unknown command "${command ?? ''}"\n${USAGE}`);
  }
}

function printLab(lab: Lab): void {
  const rows: string[][] = [
    ['HOST', 'HOSTNAME', 'ADDRESS', 'MAC', 'STATE', 'LAB KEY'],
    ...lab.hosts.map((host: LabHost) => [
      host.name,
      host.hostname,
      host.ip,
      host.mac,
      host.running ? 'running' : 'stopped',
      host.acceptsLabKey ? 'yes' : 'no',
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const table = rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
  const first = lab.hosts[0];
  const reach = first ? `\nreach a host:\n  ${lab.sshCommand(first.name).join(' ')}\n  ssh -F ${lab.sshConfigPath} ${first.name}\n` : '';
  process.stdout.write(`lab "${lab.name}" on ${lab.bridgeInterface} (${lab.bridgeAddress}/24)\n${table}\n${reach}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`lab: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
