/** A Tekton param or result value as it appears on the wire. */
export type ParamValue = string | string[] | Record<string, string>;

/** A log line of a scripted step; `atMs` is simulated ms after the step started (default: spread evenly). */
export interface StepLogLine {
  text: string;
  atMs?: number;
}

/** What one step does. */
export interface StepScript {
  /** Exit code of the step container (default 0). */
  exitCode?: number;
  /** Simulated ms the step's scripted lines take (default: `defaultStepDurationMs`, or 0 with `run`). */
  durationMs?: number;
  /** Lines the step prints. */
  logs?: Array<string | StepLogLine>;
  /** Task results the step writes. */
  results?: Record<string, ParamValue>;
  /**
   * Real work the step does (after printing `logs`): it runs in real time, may print lines as it goes (followers
   * of the log see them live) and decides the exit code and results. A rejection exits 1 with the error's message
   * as the last line; an abort of the TaskRun (cancel, timeout) aborts `signal`.
   */
  run?: (step: StepRunContext) => Promise<StepRunOutcome | number | undefined>;
}

/** What {@link StepScript.run} gets. */
export interface StepRunContext {
  /** Appends a line to the step container's log. */
  log: (line: string) => void;
  /** Aborted when the TaskRun is cancelled or times out. */
  signal: AbortSignal;
}

/** What {@link StepScript.run} decides (a number is the exit code). */
export interface StepRunOutcome {
  exitCode?: number;
  results?: Record<string, ParamValue>;
}

/** What the pod of one TaskRun attempt does. */
export interface TaskScript {
  /** Step scripts by step name (`unnamed-<index>` for unnamed steps). */
  steps?: Record<string, StepScript>;
  /** Script of the steps not named in `steps`. */
  defaultStep?: StepScript;
  /** Simulated ms the pod stays unscheduled (no node; the log endpoint answers 400). */
  scheduleDelayMs?: number;
  /** Simulated ms the pod spends in init containers (step logs answer "waiting to start: PodInitializing"). */
  initDelayMs?: number;
}

/** What a script function is told about the attempt it scripts. */
export interface TaskScriptContext {
  /** 0 for the first attempt, 1 for the first retry, ... */
  attempt: number;
  taskRunName: string;
  pipelineTask: string | undefined;
  taskName: string | undefined;
  /** The TaskRun's params merged with the Task's defaults. */
  params: Record<string, ParamValue>;
}

/** A script, or a function choosing one per attempt (e.g. fail the first attempt, pass the retry). */
export type TaskScriptInput = TaskScript | ((context: TaskScriptContext) => TaskScript);

/**
 * The test's step scripts. A TaskRun uses the script registered under its own name, else its pipeline task
 * name, else its Task name; unscripted steps succeed after `defaultStepDurationMs` without output.
 *
 * @example
 * ```ts
 * scripts.set('unit-tests', ({ attempt }) => ({ steps: { test: { exitCode: attempt === 0 ? 1 : 0 } } }));
 * ```
 */
export class TaskScripts {
  private readonly scripts = new Map<string, TaskScriptInput>();

  constructor(readonly defaultStepDurationMs: number) {}

  /** Registers (or replaces) the script for a name. */
  set(name: string, script: TaskScriptInput): void {
    this.scripts.set(name, script);
  }

  /** The script for one attempt of a TaskRun. */
  resolve(context: TaskScriptContext): TaskScript {
    const names = [context.taskRunName, context.pipelineTask, context.taskName];
    for (const name of names) {
      const script = name === undefined ? undefined : this.scripts.get(name);
      if (script !== undefined) return typeof script === 'function' ? script(context) : script;
    }
    return {};
  }

  /** The script of one step of a resolved task script. */
  step(
    script: TaskScript,
    stepName: string,
  ): Required<Pick<StepScript, 'exitCode' | 'durationMs'>> & StepScript {
    const step = script.steps?.[stepName] ?? script.defaultStep ?? {};
    return {
      ...step,
      exitCode: step.exitCode ?? 0,
      // A step with real work takes as long as the work; only scripted steps get the default duration.
      durationMs: step.durationMs ?? (step.run ? 0 : this.defaultStepDurationMs),
    };
  }
}
