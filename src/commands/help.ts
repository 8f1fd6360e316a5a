/** Formats an "Examples:" block for `--help`. */
export function examples(lines: Array<[command: string, comment?: string]>): string {
  const width = Math.max(...lines.map(([command]) => command.length));
  return `\nExamples:\n${lines.map(([command, comment]) => (comment ? `  $ ${command.padEnd(width)}   # ${comment}` : `  $ ${command}`)).join('\n')}`;
}
