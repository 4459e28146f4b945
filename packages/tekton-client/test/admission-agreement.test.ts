import { readFileSync } from 'node:fs';
import { KubeEmulator } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateTektonDocument } from '../src/validation/validate-document.js';

/**
 * validateTektonDocument and the KubeEmulator's Tekton admission are written separately (this package may not
 * import the testkit's rules, nor the testkit this package's). What keeps them honest is one case table, derived
 * from Tekton's webhook code, that both must satisfy: every broken case is refused by both (the emulator with
 * Tekton's exact message, the validator with the expected issue code), every good case is accepted by both.
 */
// biome-ignore lint/suspicious/noExplicitAny: the case table is arbitrary YAML.
type Json = any;
interface AdmissionCase {
  name: string;
  webhook?: 'defaulting' | 'validating';
  message?: string;
  issue?: string;
  document: Json;
}
const CASES = parse(
  readFileSync(new URL('../../testkit/test/fixtures/tekton-admission-cases.yaml', import.meta.url), 'utf8'),
) as { reject: AdmissionCase[]; accept: AdmissionCase[] };

const PLURALS: Record<string, string> = {
  Task: 'tasks',
  Pipeline: 'pipelines',
  TaskRun: 'taskruns',
  PipelineRun: 'pipelineruns',
};

let kube: KubeEmulator;
let namespaceCounter = 0;
beforeAll(async () => {
  kube = await KubeEmulator.start({ tekton: false, tektonWebhooks: true });
});
afterAll(async () => {
  await kube.stop();
});

/** POSTs a document the way kubectl create does, each into its own namespace so names never collide. */
async function admit(document: Json): Promise<{ status: number; body: Json }> {
  namespaceCounter += 1;
  const [group, version] = String(document.apiVersion).split('/');
  const response = await fetch(
    `${kube.url}/apis/${group}/${version}/namespaces/agreement-${namespaceCounter}/${PLURALS[document.kind]}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${kube.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(document),
    },
  );
  return { status: response.status, body: await response.json() };
}

describe('the emulator’s admission and validateTektonDocument agree', () => {
  it('has cases for every rule the issue names', () => {
    expect(new Set(CASES.reject.map((testCase) => testCase.issue))).toEqual(
      new Set([
        'unknown-field',
        'task-ref-or-spec',
        'duplicate-step',
        'invalid-result-name',
        'invalid-duration',
        'unknown-param',
        'unknown-result',
        'unknown-workspace',
        'unknown-run-after',
      ]),
    );
  });

  it.each(CASES.reject.map((testCase) => [testCase.name, testCase] as const))(
    'both refuse: %s',
    async (_name, testCase) => {
      const validation = validateTektonDocument(testCase.document);
      expect(validation.valid).toBe(false);
      expect(validation.issues.map((issue) => issue.code)).toContain(testCase.issue);
      const admission = await admit(testCase.document);
      expect(admission.status).toBe(400);
      expect(admission.body.message).toContain(testCase.message);
    },
  );

  it.each(CASES.accept.map((testCase) => [testCase.name, testCase] as const))(
    'both accept: %s',
    async (_name, testCase) => {
      expect(validateTektonDocument(testCase.document)).toMatchObject({ valid: true, issues: [] });
      const admission = await admit(testCase.document);
      expect(admission.body.message).toBeUndefined();
      expect(admission.status).toBe(201);
    },
  );

  it('both refuse an apiVersion Tekton does not serve', async () => {
    const document = {
      apiVersion: 'tekton.dev/v2',
      kind: 'Task',
      metadata: { name: 'future' },
      spec: { steps: [{ name: 'build', image: 'alpine' }] },
    };
    expect(validateTektonDocument(document).issues.map((issue) => issue.code)).toEqual([
      'unsupported-api-version',
    ]);
    expect((await admit(document)).status).toBe(404);
  });
});
