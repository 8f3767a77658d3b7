#!/usr/bin/env node
// Placeholder until the CLI lands: prints where it will live.
console.error('signup-gate: the CLI is not built yet (npm run build)');
process.exit(1);
