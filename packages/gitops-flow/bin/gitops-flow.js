#!/usr/bin/env node
// The committed launcher of the gitops-flow CLI. npm links a package's bins when it installs the package, which in
// this repository happens before any build: a bin that pointed into dist/ would not exist then, npm would not link
// it, and `npx gitops-flow` would fall back to the registry. This file always exists and loads the built CLI.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write(
    'gitops-flow: the CLI is not built yet. In the gitops-kit repository run `npm run build` first ' +
      '(published packages ship it built).\n',
  );
  process.exit(1);
}
await import(cli.href);
