import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import { packageRoot } from '../../src/paths.js';

// The project's own eslint.config.js, applied to code given a path inside src/ (the file need not exist).
async function problems(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: packageRoot() });
  const [result] = await eslint.lintText(code, { filePath: `${packageRoot()}/${filePath}` });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const prompt = "import { confirmYes } from '../ui/prompts.js';\nexport const ask = () => confirmYes('go?');\n";
const lazyPrompt = "export const ask = async () => (await import('../ui/prompts.js')).confirmYes('go?');\n";
const context = "import { canPrompt } from '../cli/context.js';\nexport const can = canPrompt();\n";
const inquirer = "export const ask = async () => (await import('@inquirer/prompts')).confirm({ message: 'go?' });\n";
const inquirerStatic = "import { confirm } from '@inquirer/prompts';\nexport const ask = () => confirm({ message: 'go?' });\n";

test('a stage folder may not import src/ui or src/cli, statically or with import()', async () => {
  for (const stage of [
    'src/flash/fixture.ts',
    'src/bootstrap/fixture.ts',
    'src/discover/sub/fixture.ts',
    'src/doctor/fixture.ts',
    'src/events.ts',
  ]) {
    const depth = stage.split('/').length - 2;
    const up = (code: string) => (depth === 0 ? code.replaceAll("'../", "'./") : code.replaceAll("'../", `'${'../'.repeat(depth)}`));
    for (const code of [prompt, lazyPrompt, context]) {
      const found = await problems(stage, up(code));
      assert.equal(found.length, 1, `${stage}:\n${up(code)}${found.join('\n')}`);
      assert.match(found[0], /^no-restricted-(imports|syntax): .*Only src\/commands\/ and src\/ui\/ draw or prompt/);
    }
  }
});

test('commands and ui may use ui and cli', async () => {
  assert.deepEqual(await problems('src/commands/flash/fixture.ts', prompt.replaceAll("'../", "'../../")), []);
  assert.deepEqual(await problems('src/commands/fixture.ts', context), []);
  assert.deepEqual(
    await problems('src/ui/fixture.ts', "import { renderTable } from './table.js';\nexport const t = renderTable([], []);\n"),
    [],
  );
});

test('@inquirer only in src/ui', async () => {
  assert.deepEqual(await problems('src/ui/fixture.ts', inquirerStatic), []);
  for (const file of ['src/commands/fixture.ts', 'src/cli/fixture.ts', 'src/discover/fixture.ts']) {
    for (const code of [inquirer, inquirerStatic]) {
      const found = await problems(file, code);
      assert.ok(
        found.some((p) => /^no-restricted-(imports|syntax): .*Ask through src\/ui\/prompts.ts/.test(p)),
        `${file}: ${found.join('\n')}`,
      );
    }
  }
});

test('a stage folder never writes to the terminal (process.stdout/stderr, console); commands may', async () => {
  const writes = [
    'export const say = (t: string) => process.stdout.write(t);\n',
    'export const warn = (t: string) => process.stderr.write(t);\n',
    'export const log = (t: string) => console.log(t);\n',
  ];
  for (const code of writes) {
    const found = await problems('src/etcd/fixture.ts', code);
    assert.equal(found.length, 1, `${code}${found.join('\n')}`);
    assert.match(found[0], /^(no-restricted-properties: .*Only src\/commands\/ and src\/ui\/ write to the terminal|no-console: )/);
    assert.deepEqual(await problems('src/commands/etcd/fixture.ts', code), []);
  }
  const exit = await problems('src/etcd/fixture.ts', 'export const stop = () => process.exit(1);\n');
  assert.match(exit.join('\n'), /Only src\/cli\/main.ts ends the process/);
});

test('the tree as it is passes the layer rules', async () => {
  const eslint = new ESLint({ cwd: packageRoot() });
  const results = await eslint.lintFiles(['src']);
  const layer = results.flatMap((r) =>
    r.messages.filter((m) => /^no-restricted-(imports|syntax)$/.test(m.ruleId ?? '')).map((m) => `${r.filePath}:${m.line} ${m.message}`),
  );
  assert.deepEqual(layer, []);
});
