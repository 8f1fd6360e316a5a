import { loadConfig } from '../../config/load.js';
import { UserError } from '../../errors.js';
import { renderTable } from '../../ui/table.js';
import { paint, useColor } from '../../ui/style.js';
import { runDoctor, type Status } from '../../doctor/checks.js';

export interface DoctorOptions {
  json: boolean;
  writeConfig: boolean;
  configPath?: string;
  color: boolean;
}

const MARK: Record<Status, [string, 'green' | 'yellow' | 'red']> = { ok: ['ok', 'green'], warn: ['warn', 'yellow'], fail: ['FAIL', 'red'] };

export async function doctorCommand(options: DoctorOptions): Promise<void> {
  if (options.writeConfig) {
    const { initCommand } = await import('../init/action.js');
    await initCommand({ path: options.configPath, force: false, stdout: false, generateKey: false });
  }
  const { config } = await loadConfig({ explicitPath: options.configPath });
  const findings = await runDoctor({ config });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
  } else {
    const color = useColor(options.color);
    const rows = findings.map((f) => [
      paint(MARK[f.status][1], MARK[f.status][0].padEnd(4), color),
      f.title,
      f.neededBy.join(', '),
      f.detail,
    ]);
    process.stdout.write(`${renderTable(['', 'check', 'needed by', 'found'], rows)}\n`);
    const fixes = findings.filter((f) => f.fix);
    if (fixes.length) process.stdout.write(`\nHow to fix:\n${fixes.map((f) => `  ${f.title}: ${f.fix}`).join('\n')}\n`);
  }
  const failed = findings.filter((f) => f.status === 'fail');
  if (failed.length) {
    throw new UserError(`${failed.length} prerequisite${failed.length > 1 ? 's' : ''} missing: ${failed.map((f) => f.title).join(', ')}`, {
      hint: 'apply the fixes listed above and run `pi-cluster doctor` again',
    });
  }
}
