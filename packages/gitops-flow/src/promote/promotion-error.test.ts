import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ArgoCDApiError } from '@gitops-kit/argocd-client';
import { defaultRedactor, registerSecret } from '@gitops-kit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { PromotionError } from './promotion-error.js';
import type { PromotionReport } from './promotion-report.js';

const registered: string[] = [];
afterEach(() => {
  for (const secret of registered.splice(0)) defaultRedactor.removeSecret(secret);
});

function report(detail: string): PromotionReport {
  return {
    outcome: 'failed',
    application: 'web',
    project: 'default',
    commit: null,
    changed: false,
    targetRevision: undefined,
    syncedRevision: undefined,
    syncStatus: undefined,
    healthStatus: undefined,
    operationPhase: undefined,
    autoSync: false,
    edits: [],
    steps: [{ name: 'sync', status: 'failed', startedAt: new Date(0).toISOString(), durationMs: 1, detail }],
    pushAttempts: 0,
    startedAt: new Date(0).toISOString(),
    durationMs: 1,
  };
}

describe('PromotionError', () => {
  it('carries an ArgoCDApiError whose server text echoed credentials without any of them', () => {
    // The token is not registered: only the Authorization/Bearer patterns can find it. The password is.
    const token = `tok${randomBytes(12).toString('hex')}`;
    const password = `pw-${randomBytes(12).toString('hex')}`;
    registered.push(password);
    registerSecret(password);
    const echoed = `Authorization: Bearer ${token}; login {"username":"admin","password":"${password}"}`;
    const apiError = new ArgoCDApiError(undefined, {
      status: 500,
      method: 'POST',
      url: 'https://argocd.example.com/api/v1/applications/web/sync',
      serverMessage: `internal error: ${echoed}`,
      details: [{ '@type': 'debug.Request', headers: { Authorization: `Bearer ${token}` }, body: echoed }],
    });
    const error = new PromotionError('sync failed', {
      step: 'sync',
      report: report(`Argo CD said ${echoed}`),
      cause: apiError,
    });
    const forms = [
      JSON.stringify(error),
      JSON.stringify(error.toJSON()),
      inspect(error, { depth: Number.POSITIVE_INFINITY }),
      String(error),
      JSON.stringify(error.report),
      JSON.stringify((error.cause as ArgoCDApiError).serverMessage),
      JSON.stringify((error.cause as ArgoCDApiError).details),
    ].join('\n');
    expect(forms).not.toContain(token);
    expect(forms).not.toContain(password);
    const json = error.toJSON() as {
      cause: { serverMessage: string; status: number };
      report: PromotionReport;
    };
    expect(json.cause.status).toBe(500);
    expect(json.cause.serverMessage).toContain('Bearer [REDACTED]');
    expect(json.report.steps[0]?.detail).toContain('Argo CD said');
  });
});
