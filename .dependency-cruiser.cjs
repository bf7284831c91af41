/**
 * Boundaries `npm run lint` holds (docs/architecture.md "Boundaries"). Type-only imports count:
 * a cycle closed by `import type` is still a cycle a reader has to untangle.
 */
const production = '^src/';
const testOnly = '(\\.test\\.ts$|^test/|^bench/)';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Modules form layers: a cycle means two modules must be read together.',
      from: { path: production },
      to: { circular: true },
    },
    {
      name: 'background-work-never-imports-the-bot',
      severity: 'error',
      comment:
        'Jobs, notifications, broadcasts and files run in worker processes without the bot; ' +
        'what they share with it lives in src/telegram/ or src/i18n/.',
      from: { path: '^src/(jobs|notifications|broadcasts|files)/' },
      to: { path: '^src/bot/' },
    },
    {
      name: 'http-never-loads-bot-features',
      severity: 'error',
      comment: 'The API process serves the webhook route only; bot features load in the bot role.',
      from: { path: '^src/http/' },
      to: { path: '^src/bot/features/' },
    },
    {
      name: 'test-helpers-stay-in-tests',
      severity: 'error',
      comment:
        'Writes that skip the rules (role and block without actor checks) are for tests only.',
      from: { path: production, pathNot: testOnly },
      to: { path: '(^test/|^src/users/direct-writes\\.ts$)' },
    },
    {
      name: 'no-unresolvable-imports',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};
