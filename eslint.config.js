// ESLint (flat config) for the browser code in frontend/, its build script and its unit tests.
// `make lint` runs it with --max-warnings=0.
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    // Bundles, vendored files, and the benchmark's load generator (bench/, not shipped).
    ignores: ["node_modules/", ".venv/", "var/", "cartable/", "bench/"],
  },
  js.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
    },
    linterOptions: {
      reportUnusedDisableDirectives: "error",
    },
    rules: {
      // Arguments named _x are required by a signature (ProseMirror's callbacks) and unused.
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", caughtErrors: "none" }],
      eqeqeq: ["error", "smart"],
      "no-var": "error",
      "prefer-const": "error",
      "no-implicit-globals": "error",
      "no-shadow": ["error", { builtinGlobals: false }],
      "no-throw-literal": "error",
      "no-self-compare": "error",
      "no-template-curly-in-string": "error",
      "no-unmodified-loop-condition": "error",
      "no-unreachable-loop": "error",
      // A closure may name a const declared after it: it runs later.
      "no-use-before-define": ["error", { functions: false, classes: true, variables: false }],
      "object-shorthand": "error",
      "prefer-template": "error",
    },
  },
  {
    files: ["frontend/**/*.js"],
    ignores: ["frontend/**/*.test.js"],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ["frontend/build.mjs", "frontend/**/*.test.js", "eslint.config.js"],
    languageOptions: { globals: globals.node },
  },
];
