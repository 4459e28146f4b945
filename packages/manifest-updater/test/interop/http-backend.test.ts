import { GitServer } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitFetchTooLargeError, writeBack } from '../../src/index.js';
import { createSeededRepo } from './peer-process.js';
import {
  defineWriteBackScenarios,
  defineWrongCredentialsScenario,
  type InteropPeer,
  VALUES,
} from './write-back-scenarios.js';

/** git's own http-backend through the testkit GitServer, in the configurations real servers run. */
const auth = { username: 'deploy-bot', password: 'interop-http-backend-password' };
const configurations = [
  { name: 'protocol v2, filter allowed', options: { protocolV2: true, allowFilter: true }, mode: 'partial' },
  { name: 'protocol v2, filter off', options: { protocolV2: true, allowFilter: false }, mode: 'full' },
  { name: 'protocol v0, filter allowed', options: { protocolV2: false, allowFilter: true }, mode: 'partial' },
  { name: 'protocol v0, filter off', options: { protocolV2: false, allowFilter: false }, mode: 'full' },
  {
    name: 'protocol v2, shallow refused',
    options: { protocolV2: true, allowShallow: false },
    mode: 'partial',
  },
  {
    name: 'protocol v0, shallow refused, no filter',
    options: { protocolV2: false, allowShallow: false, allowFilter: false },
    mode: 'full',
  },
] as const;

for (const configuration of configurations) {
  describe(`git http-backend (${configuration.name})`, { timeout: 120_000 }, () => {
    let server: GitServer;
    let peer: InteropPeer;
    beforeAll(async () => {
      server = await GitServer.start({ auth, ...configuration.options });
      peer = {
        auth,
        expectedFetchMode: configuration.mode,
        async createRepo(name, files) {
          await createSeededRepo(server.repoDirectory(name), files);
          return server.repoUrl(name);
        },
      };
    });
    afterAll(async () => {
      await server?.stop();
    });
    defineWriteBackScenarios(() => peer);
    if (configuration.name === 'protocol v2, filter allowed') defineWrongCredentialsScenario(() => peer);

    if ('allowShallow' in configuration.options) {
      it('without shallow on offer, the fetch of whole history is capped by maxHistoryBytes with a typed error', async () => {
        const url = await peer.createRepo('history-cap', { 'helm/values.yaml': VALUES });
        const error = await writeBack({
          url,
          branch: 'main',
          auth,
          partialFetch: false,
          maxHistoryBytes: 64,
          changes: [{ file: 'helm/values.yaml', updates: { path: 'image.tag', value: 'v3' } }],
        }).catch((caught: unknown) => caught);
        expect(GitFetchTooLargeError.isInstance(error)).toBe(true);
        expect((error as Error).message).toMatch(/does not support shallow fetch/);
      });
    }
  });
}
