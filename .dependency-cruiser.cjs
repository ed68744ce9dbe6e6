/**
 * The layers, held by a tool (part of `npm run lint`): http → services → ports ← adapters; everything
 * may use core; core uses nothing of ours. A wrong import fails the build instead of waiting for a
 * reviewer. Folders that do not exist yet (web/) simply match nothing.
 */
const SDK_PATH = 'node_modules/(fabric-[a-z-]+|pg|pg-[a-z-]+|@electric-sql/pglite)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'core/ is the pure domain: it imports no module of the server, chaincode, network, scripts, tests or pages.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^(server|chaincode|network|scripts|test|web)/' },
    },
    {
      name: 'services-use-ports-and-core',
      comment: 'services/ import ports, core and other services only: never an adapter, the HTTP layer, the composition root or config.',
      severity: 'error',
      from: { path: '^server/src/services/' },
      to: { path: '^(server/src/(adapters|http)/|server/src/(app|config|server|main)\\.ts$|chaincode/|network/|web/)' },
    },
    {
      name: 'services-use-no-sdk',
      comment: 'services/ reach the ledger and the store through ports: no Express, no Fabric SDK, no database driver.',
      severity: 'error',
      from: { path: '^server/src/services/' },
      to: { path: [SDK_PATH, 'node_modules/express/'] },
    },
    {
      name: 'http-calls-services-only',
      comment: 'http/ sees the Services interface: never a port (store, QR, ledger), an adapter, the composition root or config.',
      severity: 'error',
      from: { path: '^server/src/http/' },
      to: { path: '^(server/src/(ports|adapters)/|server/src/(app|config|main)\\.ts$|chaincode/|network/)' },
    },
    {
      name: 'http-uses-no-sdk',
      comment: 'http/ talks to the ledger and the store only through services.',
      severity: 'error',
      from: { path: '^server/src/http/' },
      to: { path: SDK_PATH },
    },
    {
      name: 'adapters-implement-ports',
      comment: 'adapters/ implement ports: they never import services, the HTTP layer or the composition root.',
      severity: 'error',
      from: { path: '^server/src/adapters/' },
      to: { path: '^(server/src/(services|http)/|server/src/(app|server|main)\\.ts$)' },
    },
    {
      name: 'ports-are-interfaces',
      comment: 'ports/ are interfaces over core types: they depend on no implementation.',
      severity: 'error',
      from: { path: '^server/src/ports/' },
      to: { path: '^(server/src/(services|http|adapters)/|server/src/(app|config|server|main)\\.ts$)' },
    },
    {
      name: 'express-only-in-http',
      comment: 'Express is the HTTP layer: no other server module imports it.',
      severity: 'error',
      from: { path: '^(server/src|core|chaincode/src)/', pathNot: '^server/src/http/' },
      to: { path: 'node_modules/express/' },
    },
    {
      name: 'chaincode-is-self-contained',
      comment: 'chaincode/ is deployed to peers on its own: it uses core and the Fabric contract API, nothing of the server.',
      severity: 'error',
      from: { path: '^chaincode/src/' },
      to: { path: '^(server|network|scripts|test|web)/' },
    },
    {
      name: 'web-never-imports-server',
      comment: 'The pages share types through core/ only; server code never ends up in a browser bundle.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^(server|chaincode|network|scripts|test)/' },
    },
    {
      name: 'no-undeclared-dependency',
      comment: 'Every npm package imported is declared in the nearest package.json (a transitive one can vanish on any update).',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'no-dev-dependency-in-production',
      comment: 'Code that runs in production (server, core, chaincode, network) needs no devDependency.',
      severity: 'error',
      from: { path: '^(core|server|chaincode/src|network)/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes module load order matter. Cycles through type-only imports vanish at run time and are let be.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // `npm run lint` cruises `.`: only the project's folders, whichever exist (web/ may not yet).
    // `wallet/` at the root is the Fabric identities folder; web/wallet/ (the wallet module) is cruised.
    exclude: { path: '(^|/)(dist|data)/|^wallet/|^network/\\.run|^(?!(core|server|chaincode|scripts|network|test|web|node_modules)(/|$))' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
