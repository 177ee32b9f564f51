// Linted with the page that bundles these defects: its config, its ESLint (frontend/).
export { default } from '../../frontend/eslint.config.js';
