// Start a PipelineRun of an existing Pipeline and stream its logs live, like
// `tkn pipeline start PIPELINE -p k=v --showlog`, then exit with the run's outcome.
//
//   KUBECONFIG=~/.kube/config NAMESPACE=ci PIPELINE=build-and-push \
//   PARAMS='repoUrl=https://gitlab.example.com/team/app.git,revision=main' WORKSPACES=source \
//   npx tsx examples/pipelinerun-logs.ts
//
// Environment:
//   KUBECONFIG    the kubeconfig (kubectl's loading rules: several files joined with ':')  default ~/.kube/config
//   KUBE_CONTEXT  the context                                                    default the current context
//   NAMESPACE     where the Pipeline lives                                      default the context's namespace
//   PIPELINE      the Pipeline to run                                                          required
//   PARAMS        comma-separated name=value pairs                                              optional
//   WORKSPACES    comma-separated workspace names, each bound to a fresh 1Gi volume claim       optional
//   TIMEOUT       the PipelineRun's timeout (Tekton duration)                                  default 1h
//
// Exit code: 0 Succeeded, 1 Failed / Cancelled / TimedOut / error.
import { formatDescribe, type RunLogEntry, TektonClient } from '@gitops-kit/tekton-client';

function env(name: string, fallback?: string): string {
  const value = process.env[name] || fallback;
  if (value === undefined) throw new Error(`${name} is not set (see the top of pipelinerun-logs.ts)`);
  return value;
}

/** An optional setting: undefined when unset or empty. */
function optional(name: string): string | undefined {
  return process.env[name] || undefined;
}

function list(name: string): string[] {
  return (process.env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** `tkn pr logs` style: `[task : step] line`. */
function format(entry: RunLogEntry): string {
  if (entry.kind !== 'log') return `[${entry.pipelineTask || entry.taskRun}] (${entry.kind}) ${entry.line}`;
  return `[${entry.pipelineTask || entry.taskRun} : ${entry.step}] ${entry.line}`;
}

async function main(): Promise<boolean> {
  const params: Record<string, string> = {};
  for (const pair of list('PARAMS')) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new Error(`PARAMS: "${pair}" is not name=value`);
    params[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  const context = optional('KUBE_CONTEXT');
  const namespace = optional('NAMESPACE');
  const client = TektonClient.fromKubeconfig({
    ...(context ? { context } : {}),
    ...(namespace ? { namespace } : {}),
  });
  try {
    const run = await client.pipelineRuns.start({
      pipelineRef: { name: env('PIPELINE') },
      params,
      workspaces: list('WORKSPACES').map((name) => ({
        name,
        volumeClaimTemplate: {
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      })),
      timeouts: { pipeline: env('TIMEOUT', '1h') },
    });
    const name = run.metadata.name as string;
    console.log(`PipelineRun ${name} started in ${client.namespace}`);

    // Follows every TaskRun's pods as they start; ends once the run is done and the last lines are read.
    for await (const entry of client.pipelineRuns.logs(name, { follow: true })) console.log(format(entry));

    const outcome = await client.pipelineRuns.waitForCompletion(name);
    console.log(`\n${formatDescribe(await client.pipelineRuns.describe(name))}`);
    if (outcome.status === 'Succeeded') return true;
    const failed = outcome.failedTasks.map((task) => `${task.pipelineTask} (${task.reason})`).join(', ');
    console.error(
      `PipelineRun ${name} ${outcome.status}: ${outcome.message}${failed ? `; failed: ${failed}` : ''}`,
    );
    return false;
  } finally {
    await client.close();
  }
}

main().then(
  (succeeded) => process.exit(succeeded ? 0 : 1),
  (error: unknown) => {
    console.error(`pipelinerun-logs: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
