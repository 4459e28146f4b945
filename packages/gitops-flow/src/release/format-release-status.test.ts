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

  it('lists what could not be read under the table', () => {
    const table = formatReleaseStatusTable([
      stage('dev', { errors: ['Argo CD app-dev: 403'], healthStatus: undefined }),
    ]);
    expect(table).toContain('Unknown');
    expect(table.split('\n').at(-1)).toBe('! dev: Argo CD app-dev: 403');
  });
});
