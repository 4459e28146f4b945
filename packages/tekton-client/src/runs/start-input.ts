import { formatGoDuration } from '../describe/go-duration.js';
import type { Param, ParamValue, WorkspaceBinding } from '../schemas/common.js';
import type { PipelineSpec } from '../schemas/pipeline.js';

/** A timeout as milliseconds or a Go duration string (`1h0m0s`). */
export type DurationInput = number | string;

/** Input of `pipelineRuns.start`. */
export interface StartPipelineRunInput {
  /** Run a Pipeline by name (or via a resolver). Exactly one of `pipelineRef` / `pipelineSpec`. */
  pipelineRef?: { name?: string; resolver?: string; params?: Param[] };
  pipelineSpec?: PipelineSpec;
  /** As a map (`{ revision: 'abc' }`) or Tekton's list form. */
  params?: Record<string, ParamValue> | Param[];
  workspaces?: WorkspaceBinding[];
  serviceAccountName?: string;
  timeouts?: { pipeline?: DurationInput; tasks?: DurationInput; finally?: DurationInput };
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Default `<pipeline name>-run-` (or `run-`); ignored when `name` is set. */
  generateName?: string;
  name?: string;
  /** Create the run as `PipelineRunPending` (start it later by clearing `spec.status`). */
  pending?: boolean;
}

/** Turns a map or list of params into Tekton's list form. */
export function toParamList(params: Record<string, ParamValue> | Param[] | undefined): Param[] | undefined {
  if (params === undefined) return undefined;
  if (Array.isArray(params)) return params;
  return Object.entries(params).map(([name, value]) => ({ name, value }));
}

/** A timeout input as a Go duration string. */
export function toGoDuration(value: DurationInput): string {
  return typeof value === 'number' ? formatGoDuration(value) : value;
}

/** Builds the PipelineRun object `start` POSTs. */
export function buildPipelineRun(input: StartPipelineRunInput, namespace: string): Record<string, unknown> {
  const metadata: Record<string, unknown> = { namespace };
  if (input.name) metadata.name = input.name;
  else metadata.generateName = input.generateName ?? `${input.pipelineRef?.name ?? 'run'}-run-`;
  if (input.labels) metadata.labels = input.labels;
  if (input.annotations) metadata.annotations = input.annotations;
  const spec: Record<string, unknown> = {};
  if (input.pipelineRef) spec.pipelineRef = input.pipelineRef;
  if (input.pipelineSpec) spec.pipelineSpec = input.pipelineSpec;
  const params = toParamList(input.params);
  if (params) spec.params = params;
  if (input.workspaces) spec.workspaces = input.workspaces;
  if (input.serviceAccountName) spec.taskRunTemplate = { serviceAccountName: input.serviceAccountName };
  if (input.timeouts) {
    const timeouts: Record<string, string> = {};
    for (const key of ['pipeline', 'tasks', 'finally'] as const) {
      const value = input.timeouts[key];
      if (value !== undefined) timeouts[key] = toGoDuration(value);
    }
    spec.timeouts = timeouts;
  }
  if (input.pending) spec.status = 'PipelineRunPending';
  return { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata, spec };
}
