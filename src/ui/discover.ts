import type { CheckedHost, DiscoverResult, FoundHost } from '../discover/discover.js';
import type { InventoryChange } from '../inventory/ini.js';
import { paint } from './style.js';
import { renderTable } from './table.js';

/** Terminal lines of `pi-cluster discover`. Pure: every function returns text. */

/** `pi0  198.51.100.10  dc:a6:32:00:00:10  Raspberry Pi  (35 ms)`, printed as each host appears. */
export function foundLine(host: FoundHost, color: boolean): string {
  const name = (host.name ?? '?').padEnd(8);
  const columns = [
    name,
    host.address.padEnd(15),
    (host.mac ?? '').padEnd(17),
    (host.vendor ?? '').padEnd(12),
    paint('dim', `${host.foundMs} ms${host.source === 'mdns' ? '' : `, ${host.source}`}`, color),
  ];
  return columns.join('  ').replace(/\s+$/, '');
}

export function otherHostsLine(others: FoundHost[]): string | undefined {
  if (!others.length) return undefined;
  return `not part of the cluster (name does not match the prefix): ${others.map((o) => `${o.name ?? '?'} (${o.address})`).join(', ')}`;
}

function formatMemory(bytes: number | undefined): string {
  if (!bytes) return '';
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;
}

export function checksTable(hosts: CheckedHost[], color: boolean): string {
  const rows = hosts.map((h) => [
    h.name,
    h.address,
    h.role ?? '',
    h.problem ? 'FAIL' : 'ok',
    h.facts?.model ?? '',
    h.facts?.arch ?? '',
    formatMemory(h.facts?.memoryBytes),
    h.facts?.os ?? '',
    h.mac ?? '',
    noteOf(h),
  ]);
  // renderTable measures plain text, so colour goes on afterwards.
  const plain = renderTable(['host', 'address', 'role', 'ssh', 'model', 'arch', 'memory', 'os', 'mac', 'note'], rows);
  return color ? plain.replace(/ FAIL /g, ` ${paint('red', 'FAIL', true)} `) : plain;
}

const KEY_WORDS: Record<NonNullable<CheckedHost['hostKey']>['status'], string> = {
  verified: 'host key verified (flashed here)',
  known: 'host key as recorded',
  new: 'host key new (not flashed here)',
  replaced: 'host key replaced (--replace-key)',
};

function noteOf(h: CheckedHost): string {
  if (h.problem) return h.problem.message;
  const parts = [h.hostKey ? KEY_WORDS[h.hostKey.status] : ''];
  if (h.nameFrom === 'hostname') parts.push('name from its hostname (not verified)');
  if (h.nameFrom === 'host-key') parts.push('named by its flashed key');
  if (h.nameFrom === 'config') parts.push('found at its fixed address (pi-cluster.yaml)');
  return parts.filter(Boolean).join('; ');
}

export function changeLines(changes: InventoryChange[], color: boolean): string[] {
  return changes.map((c) => {
    switch (c.kind) {
      case 'added':
        return paint('green', `  + ${c.name.padEnd(8)} ${c.address.padEnd(15)} [${c.role}]`, color);
      case 'address':
        return paint('yellow', `  ~ ${c.name.padEnd(8)} ${c.from} -> ${c.to}`, color);
      case 'missing':
        return paint('red', `  ! ${c.name.padEnd(8)} ${(c.address ?? '').padEnd(15)} not found; kept in pi-hosts`, color);
      case 'removed':
        return paint(
          'yellow',
          `  - ${c.name.padEnd(8)} ${c.address.padEnd(15)} removed by pi-cluster ${c.date}; not added (delete its "removed by" line in pi-hosts to add it again)`,
          color,
        );
    }
  });
}

export function summaryLines(result: DiscoverResult, relative: (path: string) => string): string[] {
  const lines: string[] = [];
  const files = [
    result.written.inventory &&
      `${relative(result.written.inventory)}${result.written.backup ? ` (previous: ${relative(result.written.backup)})` : ''}`,
    result.written.knownHosts && relative(result.written.knownHosts),
    result.written.sshConfig && relative(result.written.sshConfig),
  ].filter(Boolean);
  if (result.declined) lines.push('nothing written');
  else if (files.length) lines.push(`wrote ${files.join(', ')}`);
  else lines.push('pi-hosts and known hosts are up to date');
  lines.push(`masters: ${result.roles.masters.join(', ') || 'none'}; workers: ${result.roles.workers.join(', ') || 'none'}`);
  return lines;
}

/** The --json document: hosts with roles and facts, the others, and what changed. */
export function discoverJson(result: DiscoverResult): object {
  return {
    hosts: result.cluster.map((h) => ({
      name: h.name,
      address: h.address,
      role: h.role ?? null,
      mac: h.mac ?? null,
      vendor: h.vendor ?? null,
      source: h.source,
      ok: !h.problem,
      problem: h.problem ?? null,
      hostKey: h.hostKey ?? null,
      nameFrom: h.nameFrom ?? null,
      facts: h.facts ?? null,
    })),
    roles: result.roles,
    others: result.others.map((o) => ({ name: o.name ?? null, address: o.address, mac: o.mac ?? null })),
    changes: result.changes,
    written: result.written,
    browse: result.browse,
    warnings: result.warnings,
  };
}
