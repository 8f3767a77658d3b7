/** `npm run build` (also run by `npm ci` through `prepare`): bundles the operator CLI and the console into dist/. */
// Filled in by the CLI and console work; nothing to build yet.
export {};
