import { InvalidArgumentError } from 'commander';
import { UserError } from '../errors.js';

/** `--flag a --flag b` -> ['a', 'b'] (commander's argParser for a repeatable option). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A whole number of at least 1 written with digits only (not 1e1, 0x10, ' 3' or 3.0); undefined otherwise. */
export function wholeNumber(text: string): number | undefined {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

/** commander's argParser for a count of 1 or more; `problem` is the message commander prints after the flag. */
export function positive(problem: string): (value: string) => number {
  return (value) => {
    const n = wholeNumber(value);
    if (n === undefined) throw new InvalidArgumentError(problem);
    return n;
  };
}

/** The same check for a flag an action reads as text (absent stays undefined), as a UserError. */
export function parseCount(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = wholeNumber(text);
  if (n === undefined) throw new UserError(`${flag} ${text}: expected a whole number of at least 1`, { hint: `e.g. ${flag} 1` });
  return n;
}

/** `-e name=value` (repeatable), as with ansible-playbook; values are read as JSON when they parse (true, 3, [..]). */
export const extraVar = (value: string, previous: Record<string, unknown> = {}): Record<string, unknown> => {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(value);
  if (!match) throw new InvalidArgumentError('expected name=value, e.g. pi_cluster_lab=true');
  let parsed: unknown = match[2];
  try {
    parsed = JSON.parse(match[2]);
  } catch {
    // a plain string
  }
  return { ...previous, [match[1]]: parsed };
};

/** commander's argParser for an exact Kubernetes version: 1.34.2 or v1.34.2 -> 1.34.2. */
export const version = (value: string): string => {
  if (!/^\d+\.\d+\.\d+$/.test(value.replace(/^v/, ''))) throw new InvalidArgumentError('must be a version like 1.34.2');
  return value.replace(/^v/, '');
};
