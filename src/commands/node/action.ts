import { join } from 'node:path';
import { extraVars } from '../../bootstrap/vars.js';
import { canPrompt } from '../../cli/context.js';
import { CancelledError, UserError } from '../../errors.js';
import type { StageEvent } from '../../events.js';
import { removeNode, type RemoveOutcome, type RemoveResult } from '../../nodes/remove.js';
import { stateDir as stateDirOf } from '../../paths.js';
import { checkPrivateKeyPath } from '../../remote/keys.js';
import { configForDryRun, keyAndConfig } from '../ssh-key.js';

export interface NodeRemoveCommandOptions {
  name: string;
  inventory: string;
  sshKey?: string;
  dryRun: boolean;
  yes: boolean;
  force: boolean;
  extraVars?: Record<string, unknown>;
  configPath?: string;
  cwd?: string;
  write?: (text: string) => void;
}

export async function nodeRemoveCommand(options: NodeRemoveCommandOptions): Promise<RemoveResult> {
  const cwd = options.cwd ?? process.cwd();
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const { config, privateKey, needs } = options.dryRun
    ? await configForDryRun(options.configPath, options.sshKey, cwd)
    : { ...(await keyAndConfig(options.configPath, options.sshKey, cwd)), needs: [] as string[] };
  if (!options.dryRun) checkPrivateKeyPath(privateKey);
  const stateDir = stateDirOf(cwd);
  if (!options.dryRun && !options.yes) {
    if (!canPrompt()) throw new UserError('node remove needs confirmation', { hint: 're-run with --yes to remove without a prompt' });
    const { confirmYes } = await import('../../ui/prompts.js');
    const question = `Remove ${options.name} from the cluster? Its pods move away, then kubeadm reset runs on it.`;
    if (!(await confirmYes(question, false))) throw new CancelledError('node remove cancelled: nothing was changed');
  }
  const lab = options.extraVars?.pi_cluster_lab === true;
  let step = ''; // the step running, named in Ansible's recap lines
  const result = await removeNode({
    name: options.name,
    cwd,
    inventoryPath: options.inventory,
    stateDir,
    privateKeyPath: privateKey,
    knownHostsPath: join(stateDir, 'known_hosts'),
    clusterVars: extraVars({ config, stateDir, extra: options.extraVars }),
    dryRun: options.dryRun,
    force: options.force,
    lab,
    report: (event) => {
      if (event.kind === 'step') step = event.step.split(':')[0]!;
      write(`${line(event)}\n`);
    },
    onAnsibleEvent: (event) => {
      if (event.event === 'recap')
        for (const [host, recap] of Object.entries(event.hosts))
          write(`${host}: ${step}: ok=${recap.ok} changed=${recap.changed} unreachable=${recap.unreachable} failed=${recap.failures}\n`);
    },
  });
  write(formatRemoval(result, options.dryRun));
  if (needs.length) write(`The real run also needs:\n${needs.map((n) => `  - ${n}`).join('\n')}\n`);
  return result;
}

function line(event: StageEvent): string {
  if (event.kind === 'step') return `${event.host ? `${event.host}: ` : ''}${event.step}`;
  if (event.kind === 'warn') return `warning: ${event.message}${event.hint ? ` (${event.hint})` : ''}`;
  if (event.kind === 'progress') return event.step;
  return event.message;
}

export function formatRemoval(result: RemoveResult, dryRun: boolean): string {
  if (result.alreadyRemoved) return `Nothing to do: ${result.name} was removed on ${result.alreadyRemoved.date}.\n`;
  const label: Record<RemoveOutcome['status'], string> = {
    'done-before': 'done before',
    ran: 'done',
    'dry-run': 'would run',
    'skipped-lab': 'skipped (virtual lab: needs Kubernetes)',
    skipped: 'skipped',
  };
  const lines = [dryRun ? `Dry run: nothing was changed. Removing ${result.name} (${result.role}):` : `Removed ${result.name}:`];
  if (dryRun) lines.push('  checks first:', ...result.checks.map((c) => `    ${c}`), '  then, in order:');
  result.outcomes.forEach((o, i) => {
    lines.push(`  ${i + 1}. ${o.step}: ${label[o.status]}${o.note ? ` (${o.note})` : ''}`);
    if (dryRun) lines.push(...o.commands.map((c) => `       ${c}`));
  });
  return `${lines.join('\n')}\n`;
}
