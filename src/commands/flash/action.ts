import { canPrompt } from '../../cli/context.js';
import { loadConfig } from '../../config/load.js';
import { generateKeyIfMissing, resolveSshKeys } from '../../config/ssh-keys.js';
import { CancelledError, UserError } from '../../errors.js';
import { createProgressRenderer } from '../../ui/progress.js';
import { consolePasswordProblem, sha512Crypt } from '../../config/crypt-hash.js';
import { passphraseProblem } from '../../config/wifi.js';
import { askSecret, choose, confirmYes, pressEnter } from '../../ui/prompts.js';
import { paint, useColor } from '../../ui/style.js';
import { renderTable } from '../../ui/table.js';
import { formatBytes } from '../../flash/drives/safety.js';
import { flash, planCards, type CardPlan, type FlashOptions, type FlashPrompts, type WriteResult } from '../../flash/flash.js';
import { describeDrive } from '../../flash/targets.js';

export interface FlashCommandOptions extends Omit<FlashOptions, 'config' | 'report' | 'prompts' | 'signal' | 'consolePasswordHash'> {
  configPath?: string;
  /** --console-password: ask for root's console password at the terminal (twice), then keep only its hash. */
  consolePassword?: boolean;
  /** --dry-run: print each card's identity and overlay files, write nothing. */
  dryRun?: boolean;
  /** --wifi-passphrase: ask for the Wi-Fi passphrase at the terminal. */
  askWifiPassphrase?: boolean;
  color?: boolean;
  /** Where the summary goes (stdout); progress and messages go to stderr. */
  write?: (text: string) => void;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The CLI side of flash: progress on stderr, questions when there is a terminal, the summary table. */
export async function flashCommand(options: FlashCommandOptions): Promise<WriteResult[]> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const { config } = await loadConfig({ explicitPath: options.configPath });
  if (options.dryRun) {
    const consolePasswordHash = options.consolePassword ? await askConsolePassword() : undefined;
    const wifi = options.askWifiPassphrase ? { ...options.wifi, passphrase: await askWifiPassphrase() } : options.wifi;
    write(renderPlans(await planCards({ ...options, config, consolePasswordHash, wifi })));
    return [];
  }
  if (!options.sshKey && !resolveSshKeys(config, options.home) && canPrompt()) {
    // First run on this computer: offer the key pair every card needs instead of stopping with a hint.
    if (await confirmYes('No SSH key pair found (~/.ssh/id_ed25519, id_ecdsa, id_rsa). Generate ~/.ssh/id_ed25519 now?', true)) {
      await generateKeyIfMissing((text) => process.stderr.write(text), options.home);
    }
  }
  const consolePasswordHash = options.consolePassword ? await askConsolePassword() : undefined;
  const wifi = options.askWifiPassphrase ? { ...options.wifi, passphrase: await askWifiPassphrase() } : options.wifi;
  const progress = createProgressRenderer();
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  // Ctrl-C, a `kill` and a closed terminal all stop at the next safe point and remove what was begun
  // (the .partial image, composed/*.tmp); a second signal of the same kind ends the process at once.
  for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
  let outcome;
  try {
    outcome = await flash({
      ...options,
      consolePasswordHash,
      wifi,
      config,
      report: progress.report,
      prompts: canPrompt() ? terminalPrompts() : undefined,
      signal: interrupt.signal,
    });
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    progress.stop();
  }
  const color = useColor(options.color ?? true);
  const rows = outcome.results.map((r) => [
    r.target,
    r.hostname,
    (r.bytesWritten / 1e6).toFixed(1),
    r.writeSeconds > 0 && r.ok ? (r.bytesWritten / 1e6 / r.writeSeconds).toFixed(1) : '-',
    r.verified && r.digest ? r.digest.slice(0, 16) : r.digest ? `${r.digest.slice(0, 16)} (not verified)` : '-',
    r.ok ? paint('green', 'ok', color) : paint('red', 'FAILED', color),
  ]);
  write(`\nAlpine ${outcome.release.version} (${outcome.release.label}, sha256 ${outcome.release.sha256.slice(0, 16)}...)\n`);
  write(`${renderTable(['target', 'hostname', 'MB written', 'MB/s', 'verified hash', 'result'], rows)}\n`);
  for (const r of outcome.results) {
    if (r.ok && r.digest)
      write(
        `${r.hostname}: ${r.target} ${r.verified ? 'verified' : 'written (not verified: --no-verify)'}, card digest ${r.digest}${r.note ? `; ${r.note}` : ''}\n`,
      );
  }
  for (const k of outcome.hostKeys)
    write(
      `${k.hostname}: SSH host key ${k.fingerprint}${k.rotated ? ' (new: --rotate-host-key)' : ''}, recorded in .pi-cluster/known_hosts\n`,
    );
  const failed = outcome.results.filter((r) => !r.ok);
  for (const r of failed)
    write(
      `${r.hostname}: ${r.target}: ${r.error?.message ?? 'failed'}\n${r.error instanceof UserError && r.error.hint ? `  hint: ${r.error.hint}\n` : ''}`,
    );
  if (failed.some((r) => r.error instanceof CancelledError)) throw new CancelledError('flash interrupted');
  if (failed.length) {
    throw new UserError(
      `${failed.length} of ${outcome.results.length} card${outcome.results.length > 1 ? 's' : ''} failed: ${failed.map((r) => r.target).join(', ')}`,
      {
        hint: 'the cards marked ok are fine; fix the reason above and flash the failed ones again',
      },
    );
  }
  if (outcome.results.some((r) => r.ok)) write('\nNext: put the cards in the Pis, power them on, then run `pi-cluster discover`.\n');
  return outcome.results;
}

/** What `flash --dry-run` prints: per card its identity, then its overlay's files (never their content). */
function renderPlans(plans: CardPlan[]): string {
  const lines: string[] = [];
  for (const plan of plans) {
    lines.push(`${plan.hostname}`);
    lines.push(`  address        ${plan.address}`);
    lines.push(`  wifi           ${plan.wifi ?? 'none'}`);
    lines.push(
      `  ssh host key   ${plan.hostKey ? `${plan.hostKey} (kept in .pi-cluster/host-keys)` : 'new (made when the card is written)'}`,
    );
    lines.push(`  console login  root: ${plan.consolePassword}`);
    lines.push(`  keymap         ${plan.keymap}`);
    lines.push(`  time           ${plan.time}`);
    lines.push(`  overlay        ${plan.hostname}.apkovl.tar.gz:`);
    for (const file of plan.files) lines.push(`    ${file.mode}  ${file.path}${file.target ? ` -> ${file.target}` : ''}`);
    lines.push('');
  }
  lines.push(`Dry run: ${plans.length} card${plans.length === 1 ? '' : 's'} checked, nothing written.`);
  return `${lines.join('\n')}\n`;
}

/** Root's console password typed twice at the terminal; only its SHA-512 crypt hash leaves this function. */
async function askConsolePassword(): Promise<string> {
  if (!canPrompt()) {
    throw new UserError('--console-password asks at a terminal, and there is none', {
      hint: 'put a hash made by `openssl passwd -6` in a file and pass --console-password-file FILE (or console.passwordHashFile in pi-cluster.yaml)',
    });
  }
  const first = await askSecret('Console password for root on the Pis (8 characters or more):', (value) => {
    const problem = consolePasswordProblem(value);
    return problem ? `the password ${problem}` : true;
  });
  await askSecret('The same password again:', (value) =>
    value === first ? true : 'not the same as the first; type it again (Ctrl-C to stop)',
  );
  return sha512Crypt(first);
}

/** The Wi-Fi passphrase typed at the terminal; flash keeps only the PSK made from it. */
async function askWifiPassphrase(): Promise<string> {
  if (!canPrompt())
    throw new UserError('--wifi-passphrase asks at a terminal, and there is none', {
      hint: 'use --wifi-passphrase-file FILE or --wifi-passphrase-env VAR',
    });
  return askSecret('Wi-Fi passphrase (8 to 63 characters):', (value) => {
    const problem = passphraseProblem(value);
    return problem ? `the passphrase ${problem}` : true;
  });
}

function terminalPrompts(): FlashPrompts {
  return {
    async pickDrive(offered, refused) {
      const choices = [
        ...offered.map((v) => ({ name: `${describeDrive(v.drive)}${v.needsForce ? '  [--force: not removable]' : ''}`, value: v.drive })),
        ...refused.map((v) => ({ name: describeDrive(v.drive), value: v.drive, disabled: v.reasons[0] ?? 'not allowed' })),
      ];
      return choose('Which drive holds the SD card? Everything on it will be erased.', choices);
    },
    async confirm(info) {
      const { drive } = info;
      const partitions =
        typeof info.partitions === 'string'
          ? info.partitions
          : info.partitions.partitions.length
            ? info.partitions.partitions.map((p) => `#${p.index} type ${p.type}, ${formatBytes(p.size * 512)}`).join('; ')
            : `none (${info.partitions.scheme})`;
      process.stderr.write(
        `\n  drive:       ${drive.device}\n  model:       ${drive.description || 'unknown'}\n  size:        ${drive.size ? formatBytes(drive.size) : 'unknown'}\n  partitions:  ${partitions}\n${drive.mountpoints.length ? `  mounted:     ${drive.mountpoints.join(', ')} (will be unmounted)\n` : ''}  hostname(s): ${info.hostnames.join(', ')}\n\n`,
      );
      if (info.large) process.stderr.write(`  warning:     ${info.large}\n\n`);
      return confirmYes(`Erase ${drive.device} and write ${info.hostnames.length > 1 ? 'the first card' : info.hostnames[0]}?`);
    },
    async nextCard(hostname, device) {
      await pressEnter(`Put the card for ${hostname} into ${device}, then press Enter (Ctrl-C to stop)`);
    },
  };
}
