// Lint the TypeScript sources with the recommended rule sets; the type checker runs separately (tsc --noEmit).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'images/cache/', '.pi-cluster/', 'terraform/.terraform/', '.node-versions/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'exit', message: 'Only src/cli/main.ts ends the process.' }],
    },
  },
  { files: ['src/cli/main.ts', 'bin/**'], rules: { 'no-restricted-properties': 'off' } },
  { files: ['bin/**', 'eslint.config.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } } },
);
