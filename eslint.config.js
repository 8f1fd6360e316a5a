// Lint the TypeScript sources with the recommended rule sets; the type checker runs separately (tsc --noEmit).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Each entry: globs for no-restricted-imports, and the same rule as a regular expression for import() expressions
// (esquery ends a regex at '/', so the slash is written \x2F).
const INQUIRER = {
  group: ['@inquirer/*'],
  regex: '^@inquirer\\x2F',
  message: 'Ask through src/ui/prompts.ts (Ctrl-C becomes a CancelledError there).',
};
const EXIT = { object: 'process', property: 'exit', message: 'Only src/cli/main.ts ends the process.' };
const OUTPUT = ['stdout', 'stderr'].map((property) => ({
  object: 'process',
  property,
  message: 'Only src/commands/ and src/ui/ write to the terminal: return results or report StageEvents instead.',
}));
const TERMINAL = {
  group: ['**/ui/*', '**/cli/*'],
  regex: '(^|\\x2F)(ui|cli)\\x2F',
  message: 'Only src/commands/ and src/ui/ draw or prompt: report StageEvents or take a callback instead.',
};

/** no-restricted-imports for static imports, and no-restricted-syntax for import() expressions. */
function layerRules(entries) {
  return {
    rules: {
      'no-restricted-imports': ['error', { patterns: entries.map(({ group, message }) => ({ group, message })) }],
      'no-restricted-syntax': [
        'error',
        ...entries.map(({ regex, message }) => ({ selector: `ImportExpression[source.value=/${regex}/]`, message })),
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'images/cache/', '.pi-cluster/', 'terraform/.terraform/', '.node-versions/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', EXIT],
    },
  },
  { files: ['src/cli/main.ts', 'bin/**'], rules: { 'no-restricted-properties': 'off' } },
  // Where terminal code lives: prompts, progress, tables and canPrompt only in src/commands/ and src/ui/
  // (src/cli/ registers them); every other folder under src/ is a library that never draws or asks.
  // @inquirer/* only behind src/ui/prompts.ts, which turns Ctrl-C into a CancelledError.
  // Dynamic import() is not covered by no-restricted-imports, hence the no-restricted-syntax twin.
  { files: ['src/**/*.ts'], ignores: ['src/ui/**'], ...layerRules([INQUIRER]) },
  { files: ['src/**/*.ts'], ignores: ['src/ui/**', 'src/commands/**', 'src/cli/**'], ...layerRules([INQUIRER, TERMINAL]) },
  // ... and never write to the terminal themselves.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/ui/**', 'src/commands/**', 'src/cli/**'],
    rules: { 'no-restricted-properties': ['error', EXIT, ...OUTPUT], 'no-console': 'error' },
  },
  { files: ['bin/**', 'eslint.config.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } } },
);
