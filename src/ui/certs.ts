/** Terminal text of `pi-cluster certs check` and `certs renew` (pure: every function returns text). */
import { LOCAL, type CertsCheck } from '../certs/check.js';
import type { RenewResult } from '../certs/renew.js';
import { paint } from './style.js';
import { renderTable } from './table.js';
import { WARN_DAYS, type CertificateExpiry } from '../pki/expiry.js';

export { findingLines } from './status.js';

const KIND = { ca: 'CA', kubelet: 'kubelet', kubeadm: 'kubeadm' } as const;

export function certificatesTable(check: CertsCheck, color: boolean): string {
  const rows: string[][] = [];
  const days = (c: CertificateExpiry) => {
    if (c.daysLeft < 0) return paint('red', 'EXPIRED', color);
    return c.daysLeft < WARN_DAYS ? paint('yellow', String(c.daysLeft), color) : String(c.daysLeft);
  };
  const row = (host: string, c: CertificateExpiry) =>
    rows.push([host, c.name, KIND[c.kind], c.notAfter.slice(0, 16).replace('T', ' '), days(c), c.file]);
  for (const m of check.masters) {
    if (m.reachable) for (const c of m.certificates) row(m.name, c);
    else rows.push([m.name, paint('red', 'DOWN', color), m.error ?? '', '', '', '']);
  }
  if (check.local) row(LOCAL, check.local);
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
