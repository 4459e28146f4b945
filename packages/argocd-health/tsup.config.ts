import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // import.meta.url (used to locate wasmoon for the Lua worker) must also work in the CommonJS build.
  shims: true,
  tsconfig: 'tsconfig.build.json',
});
