#!/usr/bin/env node
// The operator CLI. Its code is built into dist/ by `pnpm build`; this file exists before the
// build, so that installing the workspace links the `w3kit` bin without a warning.
await import('../dist/cli.js');
