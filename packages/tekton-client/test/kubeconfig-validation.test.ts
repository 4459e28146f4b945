import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ValidationError } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { TektonClient } from '../src/client/tekton-client.js';
import { KubeconfigError } from '../src/errors/kubeconfig-errors.js';
import { loadKubeconfig } from '../src/kubeconfig/load-kubeconfig.js';

// A syntactically valid PEM block; its content does not matter, the pair is refused before it is used.
const CA_PEM =
  '-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAj\n-----END CERTIFICATE-----\n';

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'tekton-kubeconfig-validation-'));
  writeFileSync(join(directory, 'ca.pem'), CA_PEM);
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function kubeconfig(name: string, cluster: Record<string, unknown>): string {
  const path = join(directory, name);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'ctx',
      clusters: [{ name: 'prod', cluster }],
      contexts: [{ name: 'ctx', context: { cluster: 'prod', user: 'u' } }],
      users: [{ name: 'u', user: { token: 'a-token-for-validation' } }],
    }),
  );
  return path;
}

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('insecure-skip-tls-verify together with a CA (client-go refuses it)', () => {
  it.each([
    ['certificate-authority-data', { 'certificate-authority-data': Buffer.from(CA_PEM).toString('base64') }],
    ['certificate-authority', { 'certificate-authority': 'ca.pem' }],
  ])('refuses insecure-skip-tls-verify with %s', (field, caFields) => {
    const path = kubeconfig(`insecure-${field}.yaml`, {
      server: 'https://127.0.0.1:6443',
      'insecure-skip-tls-verify': true,
      ...caFields,
    });
    const error = thrownBy(() => loadKubeconfig({ path }));
    expect(KubeconfigError.isInstance(error)).toBe(true);
    expect((error as KubeconfigError).code).toBe('KUBECONFIG_INVALID');
    expect((error as Error).message).toContain('insecure-skip-tls-verify together with');
    expect((error as Error).message).toContain(field);
    expect((error as Error).message).toContain('"prod"');
    expect(() => TektonClient.fromKubeconfig({ path })).toThrow(KubeconfigError);
  });

  it('accepts each of the two alone, and insecure-skip-tls-verify: false with a CA', () => {
    const insecure = loadKubeconfig({
      path: kubeconfig('insecure-only.yaml', {
        server: 'https://127.0.0.1:6443',
        'insecure-skip-tls-verify': true,
      }),
    });
    expect(insecure.tls.insecureSkipVerify).toBe(true);
    const verified = loadKubeconfig({
      path: kubeconfig('ca-only.yaml', {
        server: 'https://127.0.0.1:6443',
        'insecure-skip-tls-verify': false,
        'certificate-authority': 'ca.pem',
      }),
    });
    expect(verified.tls).toEqual({ ca: CA_PEM });
  });

  it('refuses ca and insecureSkipVerify passed to the constructor with a ValidationError', () => {
    const error = thrownBy(
      () => new TektonClient({ server: 'https://127.0.0.1:6443', ca: CA_PEM, insecureSkipVerify: true }),
    );
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).field).toBe('tls');
  });
});

describe('malformed server URLs are refused without repeating the password', () => {
  const password = 'kube-server-PW-1f3a';
  it.each([
    [`ht!tp://admin:${password}@[bad`, /is not a URL/],
    [`ftp://admin:${password}@h.test`, /uses ftp/],
    ['h.test:6443', /has no scheme/],
    [`https://h.test/ a:${password}@x`, /whitespace/],
    [`https://admin:${password}@h.test`, /contains credentials/],
  ])('kubeconfig server %s', (server, message) => {
    const path = kubeconfig(`server-${Math.random().toString(36).slice(2)}.yaml`, { server });
    const error = thrownBy(() => loadKubeconfig({ path }));
    expect(KubeconfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect(`${inspect(error, { depth: 10 })}${JSON.stringify(error)}`).not.toContain(password);
  });

  it.each([
    `ht!tp://admin:${password}@[bad`,
    `ftp://admin:${password}@h.test`,
    'h.test:6443',
    `https://h.test/a b:${password}@`,
  ])('constructor server %s', (server) => {
    const error = thrownBy(() => new TektonClient({ server }));
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).field).toBe('server');
    expect(`${inspect(error, { depth: 10 })}${JSON.stringify(error)}`).not.toContain(password);
  });
});
