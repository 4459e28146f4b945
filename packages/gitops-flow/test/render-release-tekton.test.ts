import { ValidationError } from '@gitops-kit/core';
import { validateTektonDocument } from '@gitops-kit/tekton-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  ExitCode,
  GITOPS_FLOW_VERSION,
  type RenderReleaseTektonOptions,
  renderReleaseTekton,
  runCli,
} from '../src/index.js';
import { captureIo } from './cli-io.js';
import { type ReleaseEnvironment, startReleaseEnvironment } from './release-environment.js';
import {
  anyObject,
  applyRendered,
  CLI,
  CONFIG_MAP,
  configMap,
  createReleaseInputs,
  createSecrets,
  logLines,
  NAMESPACE,
  npxOfThisVersion,
  runReleasePipeline,
  scriptReleaseStep,
  useTekton,
} from './tekton-fixtures.js';

const VARIANTS: Array<[string, RenderReleaseTektonOptions]> = [
  ['after the build, stages from the cloned source', {}],
  [
    'after the build, stages from a ConfigMap, two values',
    { stagesConfigMap: 'stages', values: ['image.tag', 'chart.version'] },
  ],
  ['standalone, stages from a workspace', { mode: 'standalone', stagesPath: 'deploy/stages.yaml' }],
  [
    'standalone, stages from a ConfigMap',
    { mode: 'standalone', stagesConfigMap: 'stages', stagesConfigMapKey: 'release.yaml' },
  ],
];

describe('renderReleaseTekton', { timeout: 120_000 }, () => {
  const cluster = useTekton();

  it.each(VARIANTS)('%s: every document is valid and admitted by Tekton', async (_, options) => {
    const rendered = renderReleaseTekton({ ...options, namespace: NAMESPACE });
    const documents = parseAllDocuments(rendered.yaml).map((document) => document.toJS());
    expect(documents.map((document) => document.kind)).toEqual(['Task', 'Pipeline']);
    for (const document of documents) expect(validateTektonDocument(document).issues).toEqual([]);
    // Admission: a denial is a 400 that apply throws.
    await applyRendered(cluster.tekton, rendered);
    const tasks = rendered.pipeline.spec.tasks?.map((task) => task.name);
    expect(tasks).toEqual(
      options.mode === 'standalone' ? ['release'] : ['clone', 'test', 'build', 'docker', 'release'],
    );
    const release = rendered.pipeline.spec.tasks?.find((task) => task.name === 'release');
    const imageTag = release?.params?.find((param) => param.name === 'image_tag')?.value;
    expect(imageTag).toBe(
      options.mode === 'standalone' ? '$(params.image_tag)' : '$(tasks.clone.results.commit)',
    );
  });

  it('refuses value names that are not paths, values that share a param, and two stages sources', () => {
    expect(() => renderReleaseTekton({ values: ['image.tag', 'image_tag'] })).toThrow(
      /both be the param image_tag/,
    );
    expect(() => renderReleaseTekton({ values: ['$(params.x)'] })).toThrow(ValidationError);
    expect(() => renderReleaseTekton({ values: ['release.id'] })).toThrow(/fixed param release_id/);
    expect(() => renderReleaseTekton({ values: [] })).toThrow(/at least one value/);
    expect(() => renderReleaseTekton({ stagesConfigMap: 'a', stagesPath: 'b' })).toThrow(/not both/);
  });

  it('passes values as data: shell and Tekton syntax in a value reaches the CLI unchanged', async () => {
    const rendered = renderReleaseTekton({
      namespace: NAMESPACE,
      mode: 'standalone',
      stagesConfigMap: 'stages',
      values: ['image.tag', 'chart.version'],
      pipelineName: 'release-args',
    });
    await applyRendered(cluster.tekton, rendered);
    await createSecrets(cluster.tekton, { gitPassword: 'pw', argocdPassword: 'apw' });
    await cluster.tekton.transport.create(
      CONFIG_MAP,
      NAMESPACE,
      configMap('stages.yaml', 'stages: []\n'),
      anyObject,
    );
    // This npx prints the arguments it was given, one a line, and whether a file the values try to create exists.
    scriptReleaseStep(
      cluster.kube,
      'release',
      '#!/bin/sh\nfor arg in "$@"; do printf "arg:%s\\n" "$arg"; done\n[ -e pwned ] && echo PWNED\nexit 0\n',
    );
    const hostile = 'x"; touch pwned; echo "$(touch pwned)`touch pwned`';
    const run = await cluster.tekton.pipelineRuns.start({
      pipelineRef: { name: 'release-args' },
      params: { image_tag: hostile, chart_version: '1.2.3', argocd_server: 'https://argocd.example.com' },
    });
    const name = run.metadata.name as string;
    expect((await cluster.tekton.pipelineRuns.waitForCompletion(name, { timeoutMs: 60_000 })).status).toBe(
      'Succeeded',
    );
    const lines = await logLines(cluster.tekton, name);
    expect(lines).not.toContain('PWNED');
    const args = lines.filter((line) => line.startsWith('arg:')).map((line) => line.slice(4));
    expect(args.slice(0, 4)).toEqual([
      '--yes',
      `@gitops-kit/gitops-flow@${GITOPS_FLOW_VERSION}`,
      'release',
      'promote',
    ]);
    expect(args).toContain(`image.tag=${hostile}`);
    expect(args).toContain('chart.version=1.2.3');
    // No forge Secret exists: the token flags are left out; the git and Argo CD credentials are files.
    expect(args).not.toContain('--gitlab-token-file');
    expect(args).toContain('--git-password-file');
    expect(args).not.toContain('pw');
    expect(args[args.indexOf('--argocd-username') + 1]).toBe('admin');
    expect(args[args.indexOf('--stages') + 1]).toMatch(/\/etc\/gitops-flow\/stages\.yaml$/);
  });

  describe('the rendered release step, run in the KubeEmulator', () => {
    let env: ReleaseEnvironment;
    beforeAll(async () => {
      env = await startReleaseEnvironment({ prodApprovals: 0, prodAutoMerge: true });
    });
    afterAll(async () => {
      await env.stop();
    });

    it('promotes through dev, staging and prod (a GitLab merge request) with the built CLI', async () => {
      const rendered = renderReleaseTekton({
        namespace: NAMESPACE,
        mode: 'standalone',
        stagesConfigMap: 'release-stages',
        pipelineName: 'release-real',
      });
      await applyRendered(cluster.tekton, rendered);
      await createReleaseInputs(cluster.tekton, env);
      // npx of the released package = the CLI built from this checkout.
      scriptReleaseStep(
        cluster.kube,
        'release',
        npxOfThisVersion(`exec "${process.execPath}" "${CLI}" "$@"\n`),
      );
      const { outcome, lines } = await runReleasePipeline(
        cluster.tekton,
        env,
        'release-real',
        'tekton-r1',
        100_000,
      );
      expect(outcome.status, lines.join('\n')).toBe('Succeeded');
      for (const stage of ['dev', 'staging', 'prod']) expect(await env.tagOf(stage)).toBe('tekton-r1');
      expect(lines.some((line) => /release \S+: succeeded/.test(line))).toBe(true);
      for (const secretValue of [env.gitPassword, env.argocdPassword, env.gitlab.token])
        expect(lines.join('\n')).not.toContain(secretValue);
    });
  });

  it('the CLI renders it: render tekton --release', async () => {
    const io = captureIo();
    const code = await runCli(
      [
        'render',
        'tekton',
        '--release',
        '--standalone',
        '--stages-configmap',
        'stages',
        '--value',
        'image.tag',
        '--value',
        'chart.version',
      ],
      io,
    );
    expect(io.err()).toBe('');
    expect(code).toBe(ExitCode.success);
    const documents = parseAllDocuments(io.out()).map((document) => document.toJS());
    expect(documents.map((document) => `${document.kind}/${document.metadata.name}`)).toEqual([
      'Task/gitops-release',
      'Pipeline/release-pipeline',
    ]);
    expect(documents[1].spec.params.map((param: { name: string }) => param.name)).toEqual(
      expect.arrayContaining(['image_tag', 'chart_version']),
    );
    const mermaid = captureIo();
    expect(await runCli(['render', 'tekton', '--release', '--format', 'mermaid'], mermaid)).toBe(0);
    expect(mermaid.out()).toContain('release');
    expect(mermaid.out()).toContain('docker');
    const bad = captureIo();
    expect(await runCli(['render', 'tekton', '--standalone'], bad)).toBe(ExitCode.usage);
    expect(bad.err()).toContain('--standalone needs --release');
    const both = captureIo();
    expect(
      await runCli(
        [
          'render',
          'tekton',
          '--release',
          '--stages-configmap',
          'a',
          '--stages-path',
          'b',
          '--service-account',
          'sa',
        ],
        both,
      ),
    ).toBe(ExitCode.usage);
    expect(both.err()).toContain('exclude each other');
    expect(both.err()).toContain('--service-account');
  });
});
