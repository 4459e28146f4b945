import { ValidationError } from '@gitops-kit/core';

/**
 * Everything wrong with a command line, found before anything was contacted. Exit code 2. `problems` holds each
 * finding on its own (the message joins them), so a user fixes all of them in one go.
 */
export class CliUsageError extends ValidationError {
  static override readonly kind: string = 'CliUsageError';
  /** Each problem, one sentence each, naming CLI flags. */
  readonly problems: readonly string[];
  /** The command whose help explains the fix (`promote`, `values set`). */
  readonly command: string | undefined;

  constructor(problems: readonly string[], options: { command?: string | undefined } = {}) {
    super(problems.length === 1 ? (problems[0] as string) : problems.map((line) => `- ${line}`).join('\n'), {
      field: options.command ?? 'command line',
    });
    this.problems = [...problems];
    this.command = options.command;
  }
}

/** Collects the problems of one command line; throws them together. */
export class UsageProblems {
  readonly #problems: string[] = [];
  readonly #command: string | undefined;

  constructor(command?: string) {
    this.#command = command;
  }

  add(problem: string): void {
    if (!this.#problems.includes(problem)) this.#problems.push(problem);
  }

  /** Runs `check`; a ValidationError it throws becomes a problem, and `fallback` is returned instead. */
  attempt<T>(check: () => T, fallback: T): T {
    try {
      return check();
    } catch (error) {
      if (!ValidationError.isInstance(error)) throw error;
      for (const problem of problemsOf(error)) this.add(problem);
      return fallback;
    }
  }

  /** Whether a problem about this flag was already recorded (`--app needs a value`), so it is not reported twice. */
  mentions(flag: string): boolean {
    return this.#problems.some((problem) => problem.startsWith(`${flag} `));
  }

  get count(): number {
    return this.#problems.length;
  }

  /**
   * @throws {CliUsageError} when any problem was recorded.
   */
  throwIfAny(): void {
    if (this.#problems.length > 0) throw new CliUsageError(this.#problems, { command: this.#command });
  }
}

/** The problems an error stands for: a CliUsageError's list, or any other error's message. */
export function problemsOf(error: unknown): readonly string[] {
  const problems = (error as { problems?: unknown } | null)?.problems;
  if (Array.isArray(problems) && problems.every((item) => typeof item === 'string')) return problems;
  return [error instanceof Error ? error.message : String(error)];
}
