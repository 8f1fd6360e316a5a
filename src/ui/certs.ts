/** Terminal text of `pi-cluster certs check` and `certs renew` (pure: every function returns text). */
import type { CertsCheck } from '../certs/check.js';
import type { RenewResult } from '../certs/renew.js';
import { paint } from './style.js';
import { renderTable } from './table.js';
import { WARN_DAYS } from '../pki/expiry.js';

export { findingLines } from './status.js';

const KIND = { ca: 'CA', kubelet: 'kubelet', kubeadm: 'kubeadm' } as const;

export function certificatesTable(check: CertsCheck, color: boolean): string {
  const rows: string[][] = [];
  for (const m of check.masters) {
    if (!m.reachable) {
      rows.push([m.name, paint('red', 'DOWN', color), m.error ?? '', '', '', '']);
      continue;
    }
    for (const c of m.certificates) {
      const days =
        c.daysLeft < 0
          ? paint('red', 'EXPIRED', color)
          : c.daysLeft < WARN_DAYS
            ? paint('yellow', String(c.daysLeft), color)
            : String(c.daysLeft);
      rows.push([m.name, c.name, KIND[c.kind], c.notAfter.slice(0, 16).replace('T', ' '), days, c.file]);
    }
  }
  return renderTable(['host', 'certificate', 'renewed by', 'expires (UTC)', 'days left', 'file'], rows);
}

export function renewLines(result: RenewResult, dryRun: boolean): string[] {
  const lines = dryRun ? ['Dry run: nothing was changed.', result.preflight, 'Then one master at a time, in this order:'] : ['Masters:'];
  result.masters.forEach((o, i) => {
    const what = { 'dry-run': 'would renew', 'done-before': 'renewed before (resumed after it)', renewed: 'renewed' }[o.status];
    lines.push(
      `  ${i + 1}. ${o.host}: ${what}${o.soonest ? `; the soonest now expires ${o.soonest.notAfter.slice(0, 10)} (${o.soonest.name})` : ''}`,
    );
    if (dryRun) lines.push(...o.commands.map((c) => `     ${c}`));
  });
  return lines;
}
