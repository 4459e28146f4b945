import { describe, expect, it } from 'vitest';
import { formatReleaseStatusTable } from './format-release-status.js';
import type { StageStatus } from './release-status.js';

const stage = (name: string, extra: Partial<StageStatus> = {}): StageStatus => ({
  name,
  application: `app-${name}`,
  branch: 'main',
  branchHead: 'a'.repeat(40),
  values: { 'image.tag': 'v2' },
  syncStatus: 'Synced',
  healthStatus: 'Healthy',
  syncedRevision: 'a'.repeat(40),
  operationPhase: 'Succeeded',
  deployed: true,
  errors: [],
  ...extra,
});

describe('formatReleaseStatusTable', () => {
  it('aligns one row per stage with a column per release value', () => {
    const table = formatReleaseStatusTable([
      stage('dev', { atRelease: true }),
      stage('prod', {
        atRelease: false,
        values: { 'image.tag': 'v1' },
        deployed: false,
        syncStatus: 'OutOfSync',
        syncedRevision: 'b'.repeat(40),
        changeRequest: {
          number: 7,
          sourceBranch: 'release/r-1/prod',
          webUrl: 'http://x',
          mergeability: 'blocked',
          headSha: 'c'.repeat(40),
        },
      }),
    ]);
    expect(table.split('\n')).toEqual([
      'STAGE   APP        IMAGE.TAG   GIT            SYNC        HEALTH    DEPLOYED            CHANGE REQUEST',
      'dev     app-dev    v2          aaaaaaaaaaaa   Synced      Healthy   yes                 -',
      'prod    app-prod   v1 *        aaaaaaaaaaaa   OutOfSync   Healthy   no (bbbbbbbbbbbb)   !7 blocked',
      '* not at the release',
    ]);
  });

  it("shows the verdict of the change request's checks, naming the failed ones", () => {
    const request = { sourceBranch: 'release/r-1/prod', webUrl: 'http://x', headSha: 'c'.repeat(40) };
    const cells = formatReleaseStatusTable([
      stage('a', {
        changeRequest: {
          ...request,
          number: 3,
          mergeability: 'blocked',
          checks: { state: 'failed', failed: ['pipeline #7'] },
        },
      }),
      stage('b', {
        changeRequest: {
          ...request,
          number: 4,
          mergeability: 'mergeable',
          checks: { state: 'success', failed: [] },
        },
      }),
      stage('c', {
        changeRequest: {
          ...request,
          number: 5,
          mergeability: 'blocked',
          checks: { state: 'none', failed: [] },
        },
      }),
    ])
      .split('\n')
      .slice(1)
      .map((row) => row.split(/ {3,}/).at(-1));
    expect(cells).toEqual([
      '!3 blocked, checks failed (pipeline #7)',
      '!4 mergeable, checks success',
      '!5 blocked',
    ]);
  });

  it('lists what could not be read under the table', () => {
    const table = formatReleaseStatusTable([
      stage('dev', { errors: ['Argo CD app-dev: 403'], healthStatus: undefined }),
    ]);
    expect(table).toContain('Unknown');
    expect(table.split('\n').at(-1)).toBe('! dev: Argo CD app-dev: 403');
  });
});
