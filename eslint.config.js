// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const SDKS = ['jsforce', 'jsforce/*', '@hubspot/*'];
const INFRA = ['bullmq', 'ioredis', 'pino', 'pino-*'];

/** One restriction set per layer (STYLE.md §B.3): the folder tree is the architecture. */
function restrict(files, patterns) {
  return { files, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  restrict(
    ['src/domain/**/*.ts'],
    [
      {
        group: ['node:*', 'zod', 'yaml', ...INFRA, ...SDKS],
        message: 'domain/ is pure: pass data in, return decisions out.',
      },
      {
        group: [
          '**/ports/**',
          '**/adapters/**',
          '**/jobs/**',
          '**/usecases/**',
          '**/config/**',
          '**/platform/**',
          '**/cli/**',
          '**/sandbox/**',
          '**/http/**',
        ],
        message: 'domain/ must not depend on outer layers.',
      },
    ],
  ),
  restrict(
    ['src/ports/**/*.ts'],
    [
      {
        group: [
          'zod',
          'node:*',
          ...INFRA,
          ...SDKS,
          '**/adapters/**',
          '**/jobs/**',
          '**/usecases/**',
        ],
        message: 'ports/ holds types over domain/ only.',
      },
    ],
  ),
  restrict(
    ['src/usecases/**/*.ts'],
    [
      {
        group: [...SDKS, 'bullmq', 'ioredis', '**/adapters/**', '**/jobs/**', '**/cli/**'],
        message: 'use cases orchestrate domain/ and ports/; dependencies are injected.',
      },
    ],
  ),
  restrict(
    ['src/config/**/*.ts'],
    [
      {
        group: [...SDKS, ...INFRA, '**/adapters/**', '**/jobs/**', '**/usecases/**', '**/cli/**'],
        message: 'config/ parses files and env; it talks to nothing.',
      },
    ],
  ),
  restrict(
    ['src/cli/**/*.ts'],
    [
      {
        group: [...SDKS, '**/adapters/**'],
        message: 'the CLI calls use cases and the composition root, never SDKs.',
      },
    ],
  ),
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
