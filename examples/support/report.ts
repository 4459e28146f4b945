// Console output for the examples: numbered sections, short status lines, and checks that stop the run.

/** Thrown by {@link check} when a stage did not behave as expected. */
export class ExampleCheckError extends Error {
  override readonly name = 'ExampleCheckError';
}

let sectionNumber = 0;
const startedAtMs = performance.now();

function elapsed(): string {
  return `${((performance.now() - startedAtMs) / 1000).toFixed(1).padStart(5)}s`;
}

/** Prints a section header: `── 3. Title ──────`. */
export function section(title: string): void {
  sectionNumber += 1;
  const head = `── ${sectionNumber}. ${title} `;
  console.log(`\n${head}${'─'.repeat(Math.max(4, 100 - head.length))}`);
}

/** Prints one status line: `  ✓ text` (ok), `  ✗ text` (failed) or `  · text` (info). */
export function status(kind: 'ok' | 'fail' | 'info' | 'warn', text: string): void {
  const mark = { ok: '✓', fail: '✗', info: '·', warn: '!' }[kind];
  console.log(`${elapsed()}  ${mark} ${text}`);
}

/** Prints a block of text indented under the current section. */
export function block(text: string, indent = '        '): void {
  for (const line of text.replace(/\n$/, '').split('\n')) console.log(`${indent}${line}`);
}

/**
 * Asserts a stage outcome: prints `✓ what` when `condition` holds, otherwise throws with `what` and `detail`.
 *
 * @throws {ExampleCheckError} when `condition` is false.
 */
export function check(condition: unknown, what: string, detail?: unknown): asserts condition {
  if (condition) {
    status('ok', what);
    return;
  }
  const suffix =
    detail === undefined ? '' : `: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`;
  throw new ExampleCheckError(`expected ${what}${suffix}`);
}

/**
 * Runs an example's main function: exit code 0 when it resolves, 1 (with a clear message) when it throws.
 * Cleanup always runs; a hard deadline turns a hang into a failure.
 */
export function runExample(
  name: string,
  main: (cleanup: Array<() => Promise<void> | void>) => Promise<void>,
  deadlineMs = 120_000,
): void {
  const cleanup: Array<() => Promise<void> | void> = [];
  const deadline = setTimeout(() => {
    console.error(`\n✗ ${name}: did not finish within ${deadlineMs / 1000} s`);
    process.exit(1);
  }, deadlineMs);
  deadline.unref();
  const finish = async (code: number): Promise<void> => {
    for (const step of cleanup.reverse()) {
      try {
        await step();
      } catch (error) {
        console.error(`  (cleanup: ${error instanceof Error ? error.message : String(error)})`);
      }
    }
    clearTimeout(deadline);
    process.exit(code);
  };
  main(cleanup).then(
    async () => {
      console.log(`\n✓ ${name}: every stage behaved as expected (${elapsed().trim()})`);
      await finish(0);
    },
    async (error: unknown) => {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      console.error(`\n✗ ${name} FAILED: ${message}`);
      if (!(error instanceof ExampleCheckError) && error instanceof Error && error.stack)
        console.error(error.stack.split('\n').slice(1, 6).join('\n'));
      await finish(1);
    },
  );
}
