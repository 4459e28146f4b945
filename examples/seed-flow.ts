// The seed, end to end, without a cluster: GitLab push → Tekton EventListener → PipelineRun (clone, test, build,
// docker simulated; promote done for real by @gitops-kit/gitops-flow) → Argo CD sync → an Ingress that never turns
// Healthy → diagnosis → health customisation → Healthy → a bad release → Degraded → git-revert → describe.
//
//   npm run demo          (builds the packages first; afterwards `npx tsx examples/seed-flow.ts` also works)
import { registerSecret } from '@gitops-kit/core';
import {
  diagnoseApplication,
  INGRESS_HEALTH_LUA,
  type PromotionEvent,
  type PromotionReport,
  parseDurationMs,
  promote,
  type RenderedTekton,
  renderTekton,
} from '@gitops-kit/gitops-flow';
import { formatDescribe, type PipelineRunOutcome, type TektonClient } from '@gitops-kit/tekton-client';
import {
  KubeEmulator,
  type StepRunContext,
  type TaskScript,
  type TaskScriptContext,
} from '@gitops-kit/testkit';
import { block, check, runExample, section, status } from './support/report.js';
import {
  APP,
  IMAGE_REPOSITORY,
  liveImage,
  PROJECT,
  type SeedWorld,
  startSeedWorld,
  tagInGit,
  VALUES_FILE,
} from './support/seed-world.js';
import {
  clientFor,
  createObject,
  followLogs,
  formatLogEntry,
  patchObject,
  secret,
} from './support/tekton.js';

const CI_NAMESPACE = 'ci';
/** The promote Task's wait timeout for release 1, whose Ingress never turns Healthy (the rendered default is 10m). */
const PROMOTE_TIMEOUT = '5s';
/** One promotion run by the emulated promote step. */
interface PromotionRecord {
  tag: string;
  done: boolean;
  report?: PromotionReport;
  error?: unknown;
  lines: string[];
}

function describeEvent(event: PromotionEvent): string | undefined {
  if (event.type === 'step')
    return `${event.step}: ${event.status}${event.message ? ` — ${event.message}` : ''}`;
  if (event.type === 'warning') return `warning: ${event.message}`;
  return undefined;
}

/** Decodes one key of a Secret the promote Task mounts (what the pod would read from /var/secret/...). */
function mountedSecret(kube: KubeEmulator, name: string, key: string): string {
  const object = kube.getObject({ kind: 'Secret', namespace: CI_NAMESPACE, name });
  const encoded = (object?.['data'] as Record<string, string> | undefined)?.[key];
  if (encoded === undefined) throw new Error(`secret ${name} has no key ${key}`);
  return Buffer.from(encoded, 'base64').toString('utf8');
}

/**
 * The promote step: runs `promote()` for real (a step function of the KubeEmulator) with the TaskRun's params
 * (what the rendered step passes to the CLI) and the mounted credentials; its progress lines are the step's live
 * log and the outcome its exit code, as the CLI's would be.
 */
function promoteStep(kube: KubeEmulator, promotions: PromotionRecord[]) {
  return (context: TaskScriptContext): TaskScript => {
    const param = (name: string): string => String(context.params[name] ?? '');
    const record: PromotionRecord = { tag: param('image_tag'), done: false, lines: [] };
    promotions.push(record);
    const run = async ({ log, signal }: StepRunContext): Promise<number> => {
      const print = (line: string): void => {
        record.lines.push(line);
        log(line);
      };
      const timeoutMs = parseDurationMs(param('timeout'));
      const onFailure = param('on_failure') as 'git-revert' | 'argocd-rollback' | 'none';
      const gitPassword = mountedSecret(kube, 'git-credentials', 'password');
      const argocdPassword = mountedSecret(kube, 'argocd-credentials', 'password');
      registerSecret(gitPassword, argocdPassword);
      const startedAtMs = performance.now();
      print(`gitops-flow promote ${param('app')} ${param('value_path')}=${record.tag}`);
      try {
        const report = await promote({
          repository: {
            url: param('deploy_repo_url'),
            branch: param('deploy_branch'),
            auth: { username: mountedSecret(kube, 'git-credentials', 'username'), password: gitPassword },
            author: { name: 'tekton-ci', email: 'ci@example.com' },
          },
          changes: [{ file: param('file'), set: { [param('value_path')]: record.tag } }],
          application: { name: param('app'), project: param('project') },
          argocd: {
            server: param('argocd_server'),
            auth: {
              username: mountedSecret(kube, 'argocd-credentials', 'username'),
              password: argocdPassword,
            },
          },
          wait: { timeoutMs },
          refreshTimeoutMs: 60_000,
          onFailure,
          signal,
          onEvent: (event) => {
            const line = describeEvent(event);
            const seconds = ((performance.now() - startedAtMs) / 1000).toFixed(1);
            if (line !== undefined) print(`[${seconds.padStart(5)}s] ${line}`);
          },
        });
        record.report = report;
        print(`outcome: ${report.outcome}${report.commit ? ` (commit ${report.commit.slice(0, 8)})` : ''}`);
        if (report.diagnosis) print(`diagnosis: ${report.diagnosis.summary}`);
        if (report.rollback) print(`rollback: ${report.rollback.policy} ${report.rollback.outcome}`);
        return report.outcome === 'succeeded' ? 0 : report.outcome === 'timed-out' ? 3 : 1;
      } catch (error) {
        record.error = error;
        print(`error: ${error instanceof Error ? error.message : String(error)}`);
        return 5;
      } finally {
        record.done = true;
      }
    };
    return { steps: { promote: { durationMs: 10, run } } };
  };
}

/** Scripts the CI tasks the way their containers would behave. */
function scriptCiTasks(kube: KubeEmulator): void {
  kube.scriptTask('clone', ({ params }) => ({
    steps: {
      clone: {
        durationMs: 150,
        logs: [
          `Initialized empty Git repository in /workspace/output/.git/`,
          `From ${String(params['url'])}`,
          ` * branch            ${String(params['revision'])} -> FETCH_HEAD`,
        ],
        results: { commit: String(params['revision']) },
      },
    },
  }));
  kube.scriptTask('test', {
    steps: {
      test: {
        durationMs: 200,
        logs: ['added 212 packages in 3s', '▶ server', '  ✔ answers hello (1.2ms)', 'ℹ tests 1', 'ℹ pass 1'],
      },
    },
  });
  kube.scriptTask('build', {
    steps: { build: { durationMs: 100, logs: ['> devops-demo@0.1.0 build', '> tsc'] } },
  });
  kube.scriptTask('docker', ({ params }) => ({
    steps: {
      'build-and-push': {
        durationMs: 200,
        logs: [
          'INFO Retrieving image manifest node:20-slim',
          'INFO Taking snapshot of full filesystem...',
          `INFO Pushing image to ${String(params['image'])}`,
          `INFO Pushed ${String(params['image'])}`,
        ],
      },
    },
  }));
}

/** Installs what `kubectl apply -f tekton.yaml` would: the rendered resources, the secrets, an EventListener. */
async function installTekton(
  tekton: TektonClient,
  world: SeedWorld,
  webhookToken: string,
): Promise<RenderedTekton> {
  // What a GitLab push does not carry (the app, the deploy repo, Argo CD, the promote policy) comes from the
  // TriggerTemplate's defaults.
  const rendered = renderTekton({
    namespace: CI_NAMESPACE,
    triggerDefaults: {
      imageRepository: IMAGE_REPOSITORY,
      app: APP,
      project: PROJECT,
      deployRepoUrl: world.deployRepoUrl,
      argocdServer: world.argocd.url,
      timeout: PROMOTE_TIMEOUT,
      onFailure: 'none',
    },
  });
  await tekton.tasks.apply(rendered.task as unknown as Record<string, unknown>);
  status('ok', `Task ${rendered.task.metadata?.name} applied`);
  await tekton.pipelines.apply(rendered.pipeline as unknown as Record<string, unknown>);
  status(
    'ok',
    `Pipeline ${rendered.pipeline.metadata?.name} applied (clone → test → build → docker → promote)`,
  );
  await createObject(
    tekton,
    secret('git-credentials', { username: world.gitUsername, password: world.gitPassword }),
  );
  await createObject(
    tekton,
    secret('argocd-credentials', { username: 'admin', password: world.argocdPassword }),
  );
  await createObject(tekton, secret('gitlab-webhook', { token: webhookToken }));
  status('ok', 'Secrets git-credentials, argocd-credentials, gitlab-webhook created');
  await createObject(tekton, rendered.triggerBinding as unknown as Record<string, unknown>);
  await createObject(tekton, rendered.triggerTemplate as unknown as Record<string, unknown>);
  await createObject(tekton, {
    apiVersion: 'triggers.tekton.dev/v1beta1',
    kind: 'EventListener',
    metadata: { name: 'gitlab-listener' },
    spec: {
      serviceAccountName: 'tekton-triggers-sa',
      triggers: [
        {
          name: 'gitlab-push',
          interceptors: [
            {
              ref: { name: 'gitlab' },
              params: [
                { name: 'secretRef', value: { secretName: 'gitlab-webhook', secretKey: 'token' } },
                { name: 'eventTypes', value: ['Push Hook'] },
              ],
            },
          ],
          bindings: [{ ref: rendered.triggerBinding.metadata?.name }],
          template: { ref: rendered.triggerTemplate.metadata?.name },
        },
      ],
    },
  });
  status('ok', 'TriggerBinding, TriggerTemplate and EventListener gitlab-listener created');
  return rendered;
}

/** Changes the promote policy for later pushes: the TriggerTemplate's defaults (`kubectl apply` of an edit). */
async function setPromoteDefaults(
  tekton: TektonClient,
  rendered: RenderedTekton,
  defaults: { on_failure: string; timeout: string },
): Promise<void> {
  const params =
    (rendered.triggerTemplate.spec as { params?: Array<{ name: string; default?: string }> }).params ?? [];
  for (const param of params) {
    if (param.name === 'on_failure') param.default = defaults.on_failure;
    if (param.name === 'promote_timeout') param.default = defaults.timeout;
  }
  await patchObject(tekton, 'TriggerTemplate', rendered.triggerTemplate.metadata?.name as string, {
    spec: { params },
  });
  const value = (name: string) => params.find((param) => param.name === name)?.default;
  check(
    value('on_failure') === defaults.on_failure && value('promote_timeout') === defaults.timeout,
    `TriggerTemplate gitlab-push-template now passes on_failure=${defaults.on_failure}, timeout=${defaults.timeout}`,
  );
}

/** A GitLab push payload for a commit on `main` of the app repository. */
function pushPayload(world: SeedWorld, commit: string, message: string): Record<string, unknown> {
  return {
    object_kind: 'push',
    event_name: 'push',
    ref: 'refs/heads/main',
    checkout_sha: commit,
    user_username: 'dev',
    project: { name: 'devops-demo', path_with_namespace: 'team/devops-demo', git_http_url: world.appRepoUrl },
    repository: { name: 'devops-demo', git_http_url: world.appRepoUrl, homepage: world.appRepoUrl },
    commits: [{ id: commit, message, author: { name: 'Dev', email: 'dev@example.com' } }],
    total_commits_count: 1,
  };
}

/** Pushes a commit to the app repo, sends the webhook, follows the run and waits for it. */
async function pushAndRun(
  world: SeedWorld,
  kube: KubeEmulator,
  tekton: TektonClient,
  webhookToken: string,
  change: { file: string; content: string; message: string },
  onPushed: (commit: string) => void = () => undefined,
): Promise<{ commit: string; run: string; outcome: PipelineRunOutcome; logs: string[] }> {
  const commit = await world.git.commit(
    'devops-demo',
    'main',
    { [change.file]: change.content },
    {
      message: change.message,
    },
  );
  status('info', `git push: devops-demo main → ${commit.slice(0, 8)} "${change.message}"`);
  onPushed(commit);
  const sent = await tekton.sendGitLabPushEvent(
    kube.eventListenerUrl('gitlab-listener', CI_NAMESPACE),
    pushPayload(world, commit, change.message),
    { secretToken: webhookToken, findRunTimeoutMs: 10_000 },
  );
  const run = sent.pipelineRun?.metadata.name;
  check(run !== undefined, `the EventListener created a PipelineRun (event ${sent.eventId})`);
  status('info', `PipelineRun ${run} — following its logs (tkn pr logs -f ${run})`);
  const controller = new AbortController();
  const logs = followLogs(tekton, run, controller.signal).catch((error: unknown) => {
    status('warn', `log stream ended: ${error instanceof Error ? error.message : String(error)}`);
    return [] as string[];
  });
  const outcome = await tekton.pipelineRuns.waitForCompletion(run, { timeoutMs: 180_000 });
  const lines = await Promise.race([
    logs,
    new Promise<string[]>((resolve) => setTimeout(() => resolve([]), 6_000).unref()),
  ]);
  controller.abort();
  status(
    outcome.status === 'Succeeded' ? 'ok' : 'info',
    `PipelineRun ${run}: ${outcome.status} (${outcome.reason})${outcome.failedTasks.length > 0 ? `, failed: ${outcome.failedTasks.map((task) => task.pipelineTask).join(', ')}` : ''}`,
  );
  return { commit, run, outcome, logs: lines };
}

runExample(
  'seed-flow',
  async (cleanup) => {
    section('Start the testkit: git server, Argo CD emulator, Kubernetes/Tekton emulator');
    const world = await startSeedWorld({ ingress: true });
    cleanup.push(() => world.stop());
    status('ok', `GitServer ${world.git.url}: devops-demo (app) and devops-deploy (helm/my-values.yaml)`);
    status('ok', `ArgoCDEmulator ${world.argocd.url}: AppProject ${PROJECT}, Application ${APP}`);
    const kube = await KubeEmulator.start({
      namespace: CI_NAMESPACE,
      defaultStepDurationMs: 50,
      eventListenerDelayMs: 50,
    });
    cleanup.push(() => kube.stop());
    const tekton = clientFor(kube, CI_NAMESPACE);
    cleanup.push(() => tekton.close());
    status('ok', `KubeEmulator ${kube.url} (namespace ${CI_NAMESPACE})`);
    const webhookToken = `gitlab-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
    registerSecret(webhookToken);

    section('Install the pipeline (renderTekton) and the GitLab trigger');
    const rendered = await installTekton(tekton, world, webhookToken);
    const promotions: PromotionRecord[] = [];
    scriptCiTasks(kube);
    kube.scriptTask('promote', promoteStep(kube, promotions));

    section('Release 1: push → PipelineRun → promote; the Ingress keeps the app Progressing');
    const first = await pushAndRun(world, kube, tekton, webhookToken, {
      file: 'src/server.js',
      content: "require('node:http').createServer((_, res) => res.end('hello, world')).listen(8080);\n",
      message: 'Say hello to the world',
    });
    const firstPromotion = promotions[0];
    check(
      firstPromotion?.tag === first.commit,
      'the promote step deployed the commit the clone step reported',
    );
    const firstReport = firstPromotion.report;
    check(firstReport !== undefined, 'promote() returned a report', firstPromotion.error);
    check(
      firstReport.commit !== null,
      `promote() pushed ${firstReport.commit?.slice(0, 8)} to devops-deploy`,
    );
    check(
      (await tagInGit(world)) === first.commit,
      `${VALUES_FILE} now has image.tag ${first.commit.slice(0, 8)}`,
    );
    check(firstReport.syncedRevision === firstReport.commit, 'Argo CD synced that commit');
    check(liveImage(world) === `${IMAGE_REPOSITORY}:${first.commit}`, 'the Deployment runs the new image');
    check(
      firstReport.outcome === 'timed-out',
      'the wait timed out: the app did not turn Healthy',
      firstReport.outcome,
    );
    check(
      first.outcome.status === 'Failed' &&
        first.outcome.failedTasks.some((task) => task.pipelineTask === 'promote'),
      'the PipelineRun failed at its promote task',
    );

    section('Diagnosis: why the app is not Healthy');
    let diagnosis = firstReport.diagnosis;
    check(diagnosis !== undefined, 'the report carries a diagnosis');
    block(diagnosis.summary);
    if (!diagnosis.findings.some((item) => item.kind === 'Ingress')) {
      // A slow machine: the sync was still running when the wait ran out. Let it finish, then ask again.
      status('info', 'the sync was still running at the timeout; waiting for it, then diagnosing again');
      await world.client.applications.wait(APP, {
        project: PROJECT,
        conditions: ['operation'],
        timeoutMs: 60_000,
      });
      diagnosis = await diagnoseApplication(world.client, { name: APP, project: PROJECT });
      block(diagnosis.summary);
    }
    check(
      diagnosis.applicationHealth === 'Progressing',
      `${APP} is Progressing`,
      diagnosis.applicationHealth,
    );
    const finding = diagnosis.findings.find((item) => item.kind === 'Ingress');
    check(finding !== undefined, 'the diagnosis names the Ingress', diagnosis.findings);
    block(`cause:      ${finding.cause ?? '-'}`);
    block(`suggestion: ${finding.suggestion ?? '-'}`);
    block(`argocd-cm:  ${finding.argocdCmKey ?? '-'}`);
    block(
      `with the proposed script Argo CD would say: ${finding.proposedHealthResult?.status ?? '?'}${finding.proposedHealthResult?.message ? ` (${finding.proposedHealthResult.message})` : ''}`,
    );
    check(
      finding.cause === 'ingress-without-load-balancer-address',
      'cause: the Ingress has no load-balancer address',
    );
    check(finding.argocdCmKey !== undefined, `the fix goes in argocd-cm under ${finding.argocdCmKey}`);
    check(
      finding.proposedHealthResult?.status === 'Healthy',
      'the proposed script, evaluated offline, says Healthy',
    );

    section('Apply the health customisation; the app turns Healthy');
    world.argocd.setArgoCDConfigMap({ [finding.argocdCmKey]: INGRESS_HEALTH_LUA });
    status('ok', `argocd-cm ${finding.argocdCmKey} set (INGRESS_HEALTH_LUA)`);
    const healthy = await world.client.applications.wait(APP, {
      project: PROJECT,
      conditions: ['sync', 'health'],
      timeoutMs: 60_000,
    });
    check(healthy.application.status?.health?.status === 'Healthy', `${APP} is Healthy`);
    check(
      healthy.application.status?.sync?.revision === firstReport.commit,
      `${APP} is Synced at the promoted commit`,
    );

    section('Release 2: a bad build turns Degraded and is rolled back with git-revert');
    await setPromoteDefaults(tekton, rendered, { on_failure: 'git-revert', timeout: '30s' });
    const second = await pushAndRun(
      world,
      kube,
      tekton,
      webhookToken,
      {
        file: 'src/server.js',
        content: "require('node:http').createServer((_, res) => res.end(undefined.hello)).listen(8080);\n",
        message: 'Refactor the greeting',
      },
      (commit) => {
        // Pods of this image crash: script the emulator's Deployment health by image tag.
        world.argocd.scriptHealth({ kind: 'Deployment', image: `:${commit}` }, [
          { status: 'Progressing', forMs: 300 },
          { status: 'Degraded', message: 'Deployment "devops-demo" exceeded its progress deadline' },
        ]);
        status(
          'info',
          `scripted: pods of image :${commit.slice(0, 8)} crash (Progressing 300 ms, then Degraded)`,
        );
      },
    );
    const secondPromotion = promotions[1];
    const secondReport = secondPromotion?.report;
    check(secondReport !== undefined, 'promote() returned a report for release 2', secondPromotion?.error);
    check(secondPromotion?.tag === second.commit, 'release 2 deployed the pushed commit');
    check(
      secondReport.outcome === 'failed',
      'promote() reported the release as failed',
      secondReport.outcome,
    );
    check(
      secondReport.diagnosis?.findings.some(
        (item) => item.kind === 'Deployment' && item.health === 'Degraded',
      ) === true,
      'the diagnosis names the Degraded Deployment',
      secondReport.diagnosis?.summary,
    );
    block(secondReport.diagnosis?.summary ?? '');
    check(
      secondReport.rollback?.policy === 'git-revert' && secondReport.rollback.outcome === 'succeeded',
      `git-revert rolled back with commit ${secondReport.rollback?.commit?.slice(0, 8)}`,
      secondReport.rollback,
    );
    check(
      (await tagInGit(world)) === first.commit,
      `${VALUES_FILE} is back at image.tag ${first.commit.slice(0, 8)}`,
    );
    check(liveImage(world) === `${IMAGE_REPOSITORY}:${first.commit}`, 'the Deployment runs release 1 again');
    check(secondReport.healthStatus === 'Healthy', `${APP} is Healthy after the rollback`);
    check(
      second.outcome.status === 'Failed',
      'the PipelineRun of the bad release failed (the release did not ship)',
    );
    const log = await world.git.log('devops-deploy', 'main', { maxCount: 3 });
    block(log.map((entry) => `${entry.commit.slice(0, 8)} ${entry.message.split('\n')[0]}`).join('\n'));

    section(`tkn pr describe ${second.run}`);
    const description = await tekton.pipelineRuns.describe(second.run);
    block(formatDescribe(description, { nowMs: kube.clock.now() }));
    check(
      description.taskRuns.some((row) => row.pipelineTaskName === 'promote'),
      'describe lists the promote TaskRun',
    );

    section(`tkn pr logs ${second.run}`);
    const lines: string[] = [];
    for await (const entry of tekton.pipelineRuns.logs(second.run)) lines.push(formatLogEntry(entry));
    block(lines.join('\n'));
    check(
      lines.some(
        (line) => line.startsWith('[promote : promote]') && line.includes('rollback: git-revert succeeded'),
      ),
      'the promote step log records the rollback',
    );
    const secrets = [world.gitPassword, world.argocdPassword, webhookToken];
    const visible = [
      ...lines,
      ...first.logs,
      ...promotions.flatMap((promotion) => promotion.lines),
      JSON.stringify(promotions.map((promotion) => promotion.report)),
      await world.git.readFile('devops-deploy', 'main', VALUES_FILE),
      ...(await world.git.log('devops-deploy', 'main')).map((entry) => entry.message),
    ].join('\n');
    check(
      secrets.every((value) => !visible.includes(value)),
      'no password or token appears in the logs, the reports or the deploy repo',
    );
  },
  300_000,
);
