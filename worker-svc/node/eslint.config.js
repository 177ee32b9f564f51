// SPDX-License-Identifier: Apache-2.0

// ESLint (flat config): the recommended rules on the worker, its tests and the defect it loads
// from broken-variants/node (whose eslint.config.js re-exports this one). Run: npx eslint .
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['target/'] },
  js.configs.recommended,
  {
    rules: {
      // an argument that is there for the signature only is named with a leading underscore
      'no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: globals.node,
    },
  },
];
