// ESLint for the whole monorepo (flat config). Type-aware rules need the TypeScript program, so
// every linted file is in tsconfig.json. Formatting is Prettier's job: eslint-config-prettier turns
// off the stylistic rules that would fight it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/', '**/node_modules/', 'bench/results/', 'demo-output/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    // The monorepo's own packages, whether or not they resolve here (a built dist/ would change that).
    settings: { 'import-x/internal-regex': '^@tracehop/' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // A leading underscore marks a parameter an interface makes us accept but we do not read.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // `import x = require(...)`: the module object itself (instrumentation patches it in place).
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
      'import-x/order': [
        'error',
        { groups: ['builtin', 'external', 'internal', 'parent', 'sibling', 'index'], alphabetize: { order: 'asc' } },
      ],
    },
  },
  // CommonJS config files (jest.config.js) run on Node as they are.
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
