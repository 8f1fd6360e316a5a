import { stripVTControlCharacters } from 'node:util';

/** Renders rows as aligned plain-text columns; cells may be coloured (widths are measured without escape codes). */
export function renderTable(header: string[], rows: string[][]): string {
  const width = (text: string | undefined) => stripVTControlCharacters(text ?? '').length;
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]))));
  const pad = (text: string, i: number) => text + ' '.repeat(widths[i] - width(text));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? (c ?? '') : pad(c ?? '', i)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
