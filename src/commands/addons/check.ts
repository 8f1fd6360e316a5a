/** `pi-cluster addons check`: reads terraform/pins.yaml, checks every pin, prints one line each (or JSON). */
import { join, resolve } from 'node:path';
import { UserError } from '../../errors.js';
import { checkPins, formatReport, type PinReport } from '../../addons/pins/check.js';
import { PINS_FILE, readPins } from '../../addons/pins/pins.js';

/** Origin=base-URL pairs, comma-separated, e.g. "https://ghcr.io=https://ghcr.mirror.lan" (a mirror). */
export const OVERRIDES_ENV = 'PI_CLUSTER_PIN_OVERRIDES';

export interface AddonsCheckOptions {
  terraformDir: string;
  /** Another pins file instead of <terraformDir>/pins.yaml. */
  pinsFile?: string;
  json: boolean;
  /** Seconds for one request (its redirects and a token included). */
  timeoutSeconds: number;
  /** Origin (or host) -> base URL, added to those from PI_CLUSTER_PIN_OVERRIDES. */
  overrides?: string[];
  skip?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  write?: (text: string) => void;
}

export function parseOverrides(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    const from = pair.slice(0, eq).replace(/\/+$/, '');
    const to = pair.slice(eq + 1);
    if (eq <= 0 || !/^https?:\/\/[^\s/]+/.test(to)) {
      throw new UserError(`bad override "${pair}": expected ORIGIN=BASE-URL`, {
        hint: 'e.g. --override https://ghcr.io=http://127.0.0.1:5000',
      });
    }
    out[from] = to;
  }
  return out;
}

export async function addonsCheckCommand(options: AddonsCheckOptions): Promise<PinReport | undefined> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  if (options.skip || env.SKIP_CHECK === '1') {
    write('skipped: the pin check (--skip-check / SKIP_CHECK=1); Terraform will find out at plan time\n');
    return undefined;
  }
  if (!(options.timeoutSeconds > 0))
    throw new UserError(`--timeout must be a number of seconds above 0, not ${options.timeoutSeconds}`, {
      hint: 'e.g. --timeout 10 (seconds a request may go without progress)',
    });
  const overrides = parseOverrides([...(env[OVERRIDES_ENV] ? [env[OVERRIDES_ENV]] : []), ...(options.overrides ?? [])]);
  const pins = await readPins(resolve(cwd, options.pinsFile ?? join(options.terraformDir, PINS_FILE)));
  const report = await checkPins(pins, { timeoutMs: options.timeoutSeconds * 1000, overrides });

  if (options.json)
    write(`${JSON.stringify({ file: pins.file, offline: report.offline, problems: report.problems, results: report.results }, null, 2)}\n`);
  else write(`${formatReport(report).join('\n')}\n`);

  const skipHint = 'to run Terraform anyway: make apply SKIP_CHECK=1 (or pi-cluster addons check --skip-check)';
  if (report.offline)
    throw new UserError('offline: the pins could not be checked (no chart repository or registry answered)', { hint: skipHint });
  if (report.problems > 0)
    throw new UserError(
      `${report.problems} pin${report.problems === 1 ? '' : 's'} failed the check: fix ${pins.file} as the lines above say`,
      { hint: skipHint },
    );
  return report;
}
