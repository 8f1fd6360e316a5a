import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { relative, resolve } from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { UserError } from '../errors.js';
import { userFileProblem } from '../user-files.js';
import { configSchema, type ClusterConfig } from './schema.js';
import { escapeControlCharacters } from './strings.js';

export const CONFIG_FILE = 'pi-cluster.yaml';

export interface LoadedConfig {
  config: ClusterConfig;
  /** The file it came from, or undefined when the defaults were used. */
  file?: string;
}

/** Expands a leading ~ to the home folder. */
export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

/**
 * Loads `pi-cluster.yaml` from `cwd` (or `explicitPath`). A missing default file means "use the defaults";
 * a missing explicit file is an error. Every problem names the YAML path, the line, and what was expected.
 */
export async function loadConfig(options: { explicitPath?: string; cwd?: string } = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const file = resolve(cwd, expandHome(options.explicitPath ?? CONFIG_FILE));
  const problem = userFileProblem(file);
  if (problem === 'does not exist' && !options.explicitPath) return { config: configSchema.parse({}) };
  if (problem) {
    throw new UserError(`config file ${options.explicitPath ?? relative(cwd, file)} ${problem}`, {
      hint: options.explicitPath
        ? 'check the --config path, or run `pi-cluster init` to write one'
        : 'pi-cluster reads ./pi-cluster.yaml: make it a file, or pass --config FILE',
    });
  }
  return { config: parseConfigText(await readFile(file, 'utf8'), relative(cwd, file) || file), file };
}

/** Parses and validates config text; `label` names the file in messages. */
export function parseConfigText(text: string, label = CONFIG_FILE): ClusterConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = lineCounter.linePos(first.pos[0]).line;
    throw new UserError(`${label}${line ? `:${line}` : ''}: not valid YAML: ${first.message.split('\n')[0]}`, {
      hint: 'fix the YAML syntax (indentation, quotes, colons) and run again',
    });
  }
  const data = doc.toJS() ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new UserError(`${label}: expected a mapping of settings at the top level`, {
      hint: 'run `pi-cluster init` to see the expected layout',
    });
  }
  // `key:` with nothing after it (YAML null) means "not set": the default applies.
  const result = configSchema.safeParse(dropNulls(data), { reportInput: true });
  if (result.success) return result.data;

  const lines = result.error.issues.map((issue) => {
    const path = issue.path.map(String);
    const node = doc.getIn(path, true);
    const offset = isNode(node) && node.range ? node.range[0] : undefined;
    const where = offset === undefined ? '' : `:${lineCounter.linePos(offset).line}`;
    // A value with a newline must not break the one-line-per-problem shape: show it escaped.
    const text = escapeControlCharacters(describeIssue(issue));
    return `${label}${where}: ${text}`;
  });
  throw new UserError(lines.join('\n'), {
    hint: 'fix the value(s) above; `pi-cluster init --stdout` shows every setting with its default',
  });
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, dropNulls(v)]),
    );
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.join('.') || '(top level)';
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${issue.path.length ? `${path}: ` : ''}unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => issue.path.concat(k).join('.')).join(', ')}`;
    case 'invalid_type':
      return `${path}: expected ${issue.expected}${'input' in issue && issue.input !== undefined ? `, got ${JSON.stringify(issue.input)}` : ''}`;
    case 'invalid_value':
      return `${path}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'custom':
      return `${path}: ${issue.message}`; // our refinements already name the value
    default: {
      const input = 'input' in issue && issue.input !== undefined && typeof issue.input !== 'object' ? `${String(issue.input)} ` : '';
      return `${path}: ${input}${issue.message}`;
    }
  }
}
