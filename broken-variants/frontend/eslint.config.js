// SPDX-License-Identifier: Apache-2.0

// Linted with the page that bundles these defects: its config, its ESLint (frontend/).
export { default } from '../../frontend/eslint.config.js';
