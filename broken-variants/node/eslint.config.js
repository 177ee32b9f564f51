// SPDX-License-Identifier: Apache-2.0

// Linted with the Node.js worker that loads this defect: its config, its ESLint (worker-svc/node).
export { default } from '../../worker-svc/node/eslint.config.js';
