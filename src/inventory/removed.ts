import { readInventoryLines, REMOVED_MARKER } from './ini.js';

/**
 * `pi-cluster node remove` keeps a removed host's lines in pi-hosts as comments with a marker:
 *
 *   # removed by pi-cluster 2026-11-30: pi3 ansible_host=192.168.1.23  # Raspberry Pi 4, dc:a6:32:...
 *
 * Ansible (and so every playbook, `hosts: all` included) no longer sees the host; every reader of pi-hosts
 * skips it as any comment; discover recognises the marker and does not add the Pi again when it still answers.
 */
export { REMOVED_MARKER, removedHosts, type RemovedHost } from './ini.js';

/**
 * pi-hosts with every line that lists `name` (under any group) turned into a removed-marker comment; all other
 * lines stay byte for byte. Unchanged text when the host is not listed. The file must be one pi-cluster reads.
 */
export function markRemoved(text: string, name: string, date: Date = new Date()): { text: string; lines: number[] } {
  const { inventory } = readInventoryLines(text);
  const day = date.toISOString().slice(0, 10);
  const lines: number[] = [];
  const out = inventory.lines.map((line) => {
    if (line.kind !== 'host' || line.name !== name) return line.text;
    if (line.lineNumber) lines.push(line.lineNumber);
    return `${REMOVED_MARKER} ${day}: ${line.text.trim()}`;
  });
  if (!lines.length) return { text, lines };
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return { text: `${out.join(eol)}${text.endsWith('\n') || text === '' ? eol : ''}`, lines };
}
