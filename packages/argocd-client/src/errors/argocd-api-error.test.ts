import { AuthenticationError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { apiErrorFromResponse } from '../client/argocd-transport.js';
import { ArgoCDApiError } from './argocd-api-error.js';

function info(status: number, bodyText: string, contentType = 'application/json') {
  let bodyJson: unknown;
  try {
    bodyJson = JSON.parse(bodyText);
  } catch {
    bodyJson = undefined;
  }
  return {
    status,
    headers: { 'content-type': contentType },
    method: 'POST',
    url: 'https://argocd.example.com/api/v1/applications/web/sync',
    bodyText,
    bodyJson,
    retryAfterMs: undefined,
    attempt: 1,
    httpErrorOptions: {
      status,
      method: 'POST',
      url: 'https://argocd.example.com/api/v1/applications/web/sync',
      body: bodyText,
    },
  };
}

describe('ArgoCDApiError', () => {
  it('parses grpc-gateway error bodies', () => {
    const error = apiErrorFromResponse(
      info(
        400,
        JSON.stringify({
          error: 'another operation is already in progress',
          code: 9,
          message: 'another operation is already in progress',
        }),
      ),
    ) as ArgoCDApiError;
    expect(error.grpcCode).toBe(9);
    expect(error.grpcCodeName).toBe('FailedPrecondition');
    expect(error.isOperationInProgress()).toBe(true);
    expect(error.isNotFound()).toBe(false);
    expect(error.retryable).toBe(false);
    expect(error.code).toBe('ARGOCD_API_ERROR');
    expect(error.message).toContain('POST /api/v1/applications/web/sync');
  });

  it('handles plain-text and HTML bodies', () => {
    const unsupported = apiErrorFromResponse(
      info(415, 'Invalid content type', 'text/plain'),
    ) as ArgoCDApiError;
    expect(unsupported.serverMessage).toBe('Invalid content type');
    expect(unsupported.grpcCode).toBeUndefined();
    const proxy = apiErrorFromResponse(info(502, '<html>bad gateway</html>', 'text/html')) as ArgoCDApiError;
    expect(proxy.serverMessage).toContain('non-JSON text/html');
    expect(proxy.retryable).toBe(true);
  });

  it('leaves 401 to the core AuthenticationError and knows 403-without-project', () => {
    expect(apiErrorFromResponse(info(401, '{"code":16,"message":"invalid session"}'))).toBeUndefined();
    const forbidden = apiErrorFromResponse(
      info(403, '{"code":7,"message":"permission denied"}'),
    ) as ArgoCDApiError;
    expect(forbidden.isNotFound()).toBe(false);
    const hidden = forbidden.withMissingOrForbidden();
    expect(hidden.isNotFound()).toBe(true);
    expect(hidden.isPermissionDenied()).toBe(true);
    expect(hidden.message).toContain('pass `project`');
    expect(ArgoCDApiError.isInstance(hidden)).toBe(true);
    expect(AuthenticationError.isInstance(hidden)).toBe(false);
    const conflict = apiErrorFromResponse(
      info(409, '{"code":10,"message":"the object has been modified"}'),
    ) as ArgoCDApiError;
    expect(conflict.isConflict()).toBe(true);
  });
});
