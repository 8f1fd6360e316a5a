// Every Ansible role and Terraform module has a README.md that lists its variables, and lists only
// variables the code defines: the docs cannot drift from defaults/main.yml, vars/*.yml and variables.tf.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { packageRoot } from '../../src/paths.js';

type Kind = 'role' | 'module';

/** Top-level keys of a YAML file of variables (none if the file is missing or empty). */
function yamlKeys(path: string): string[] {
  if (!existsSync(path)) return [];
  const data = parse(readFileSync(path, 'utf8')) as unknown;
  return data && typeof data === 'object' ? Object.keys(data) : [];
}

/** The variables a role or module defines, from its own files. */
function definedVariables(kind: Kind, dir: string): string[] {
  if (kind === 'module') {
    const text = existsSync(join(dir, 'variables.tf')) ? readFileSync(join(dir, 'variables.tf'), 'utf8') : '';
    return [...text.matchAll(/^variable\s+"([^"]+)"/gm)].map((m) => m[1]);
  }
  const vars = existsSync(join(dir, 'vars'))
    ? readdirSync(join(dir, 'vars'))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => join(dir, 'vars', f))
    : [];
  const specs = join(dir, 'meta', 'argument_specs.yml');
  const fromSpecs = existsSync(specs)
    ? Object.values(
        (parse(readFileSync(specs, 'utf8')) as { argument_specs?: Record<string, { options?: object }> }).argument_specs ?? {},
      ).flatMap((s) => Object.keys(s.options ?? {}))
    : [];
  return [...new Set([...yamlKeys(join(dir, 'defaults', 'main.yml')), ...vars.flatMap(yamlKeys), ...fromSpecs])];
}

/** First cells (`name`) of the table rows under the README's "## Variables" heading. */
function listedVariables(readme: string): string[] {
  const section = readme.split(/^## /m).find((part) => /^Variables\b/.test(part)) ?? '';
  return [...section.matchAll(/^\|\s*`([^`]+)`\s*\|/gm)].map((m) => m[1]);
}

/** One line per problem: a missing README, a variable it does not list, a listed variable that does not exist. */
function readmeProblems(kind: Kind, parent: string): string[] {
  const problems: string[] = [];
  for (const name of readdirSync(parent).sort()) {
    const dir = join(parent, name);
    const readmePath = join(dir, 'README.md');
    if (!existsSync(readmePath)) {
      problems.push(`${kind} ${name}: no README.md`);
      continue;
    }
    const listed = listedVariables(readFileSync(readmePath, 'utf8'));
    const defined = definedVariables(kind, dir);
    for (const v of defined) if (!listed.includes(v)) problems.push(`${kind} ${name}: README.md does not list ${v}`);
    for (const v of listed)
      if (!defined.includes(v)) problems.push(`${kind} ${name}: README.md lists ${v}, which the ${kind} does not define`);
  }
  return problems;
}

const roles = join(packageRoot(), 'ansible', 'roles');
const modules = join(packageRoot(), 'terraform', 'modules');

describe('role and module READMEs', () => {
  it('every Ansible role has a README.md listing exactly its variables (defaults, vars per OS, argument specs)', () => {
    assert.deepEqual(readmeProblems('role', roles), []);
  });

  it('every Terraform module has a README.md listing exactly the variables of its variables.tf', () => {
    assert.deepEqual(readmeProblems('module', modules), []);
  });

  it('the check finds a missing README, an unlisted variable and a listed one that is gone', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'pi-cluster-readmes-'));
    try {
      cpSync(join(roles, 'workers'), join(scratch, 'roles', 'workers'), { recursive: true });
      cpSync(join(roles, 'reset'), join(scratch, 'roles', 'reset'), { recursive: true });
      rmSync(join(scratch, 'roles', 'reset', 'README.md'));
      const defaults = join(scratch, 'roles', 'workers', 'defaults', 'main.yml');
      writeFileSync(defaults, `${readFileSync(defaults, 'utf8')}workers_new_setting: 1\n`);
      cpSync(join(modules, 'flannel'), join(scratch, 'modules', 'flannel'), { recursive: true });
      const variables = join(scratch, 'modules', 'flannel', 'variables.tf');
      writeFileSync(variables, readFileSync(variables, 'utf8').replace('variable "backend"', 'variable "flannel_backend"'));
      assert.deepEqual(readmeProblems('role', join(scratch, 'roles')), [
        'role reset: no README.md',
        'role workers: README.md does not list workers_new_setting',
      ]);
      assert.deepEqual(readmeProblems('module', join(scratch, 'modules')), [
        'module flannel: README.md does not list flannel_backend',
        'module flannel: README.md lists backend, which the module does not define',
      ]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
