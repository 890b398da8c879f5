// The JS of the widget (the crate's JS beside the Rust, the loader) and of its build scripts,
// linted in `make test` (`eslint .`), as strictly as the Rust: ESLint's recommended rules, and
// no catch that hides an error — every `catch` names its error and uses it (tells the expected
// from the rest, reports or rethrows the rest).
import js from '@eslint/js';
import globals from 'globals';

/**
 * A `catch` whose error is not named or not used swallows whatever was thrown.
 * @type {import('eslint').Rule.RuleModule}
 */
const noSwallowedCatch = {
  meta: {
    type: 'problem',
    docs: { description: 'every catch names its error and uses it: catch what is expected, report the rest' },
    schema: [],
  },
  create(context) {
    return {
      CatchClause(node) {
        const param = node.param;
        if (!param) {
          context.report({ node, message: 'catch without its error: say what is expected, and report the rest' });
          return;
        }
        if (param.type !== 'Identifier') return;
        const variable = context.sourceCode.getDeclaredVariables(node).find((v) => v.name === param.name);
        if (variable && variable.references.length === 0) {
          context.report({ node: param, message: `'${param.name}' is caught and never looked at: say what is expected, and report the rest` });
        }
      },
    };
  },
};

/**
 * Every JS file linted: the widget's page-side JS (and the example pages' module), the scripts, the end-to-end suite (with the
 * sources of the apps that consume the npm package, e2e/consumers/), the bench.
 */
const ALL = ['src/**/*.js', 'www/embed/**/*.js', 'www/examples/**/*.js', 'scripts/**/*.mjs', 'scripts/**/*.js', 'e2e/**/*.mjs', 'e2e/**/*.js', 'bench/**/*.mjs', 'bench/**/*.js', 'eslint.config.mjs'];

export default [
  // (The build scripts' test fixtures are data: glue in the shape wasm-bindgen writes it.)
  { ignores: ['dist/**', 'target/**', 'node_modules/**', 'vendor/**', 'build/**', '**/node_modules/**', 'bench/out/**', 'scripts/tests/fixtures/**'] },
  { files: ALL },
  { ...js.configs.recommended, files: ALL },
  {
    files: ALL,
    plugins: { k12x: { rules: { 'no-swallowed-catch': noSwallowedCatch } } },
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      'k12x/no-swallowed-catch': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
      'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'none' }],
      eqeqeq: ['error', 'smart'],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  // In the page: the widget's JS, the example pages' module, the bench's pages and the other libraries it measures.
  { files: ['src/**/*.js', 'www/embed/**/*.js', 'www/examples/**/*.js', 'bench/pages/**/*.js', 'bench/peers/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
  { files: ['scripts/**/*.mjs', 'scripts/**/*.js', 'eslint.config.mjs'], languageOptions: { globals: { ...globals.node } } },
  // Node, driving pages: the functions it hands to a page run there.
  { files: ['e2e/**/*.mjs', 'bench/**/*.mjs'], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
  // The apps that consume the npm package: their page's modules, and webpack's configuration (CommonJS, Node).
  { files: ['e2e/consumers/*/src/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
  { files: ['e2e/consumers/*/*.config.js'], languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } } },
];
