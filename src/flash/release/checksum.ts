import { UserError } from '../../errors.js';

/**
 * Reads a `.sha256` file as Alpine publishes it ("<hex>  <file name>"), or a bare hash.
 * When it names files, the line for `fileName` is used.
 */
export function parseSha256File(text: string, fileName: string, label: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const parsed = lines.map((line) => /^([0-9a-fA-F]{64})(?:\s+\*?(.+))?$/.exec(line)).filter((m): m is RegExpExecArray => Boolean(m));
  const match = parsed.find((m) => !m[2] || m[2].split('/').pop() === fileName) ?? (parsed.length === 1 ? parsed[0] : undefined);
  if (!match)
    throw new UserError(`${label} holds no sha256 for ${fileName}`, {
      hint: 'the checksum file does not match the archive: check the URL or path',
    });
  return match[1].toLowerCase();
}

export function checksumMismatch(name: string, expected: string, actual: string, hint: string): UserError {
  return new UserError(`checksum mismatch for ${name}: expected sha256 ${expected}, got ${actual}`, { hint });
}
