import { runCli } from './run-cli.js';

const controller = new AbortController();
let interrupted = false;
for (const signalName of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signalName, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(
      `\n${signalName}: stopping (no push happens after this point); press again to force\n`,
    );
    controller.abort();
  });
}

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `gitops-flow: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 5;
  },
);
