import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@gitops-kit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ArgoCDClient } from './argocd-client.js';
import { defaultCliConfigPath, parseArgoCDOpts, readCliConfig } from './cli-config.js';
import { normalizeServerUrl } from './client-options.js';

const CONFIG = `contexts:
- name: prod
  server: argocd.example.com
  user: prod
- name: local
  server: localhost:8080
  user: local
current-context: local
servers:
- grpc-web-root-path: /argo
  insecure: true
  plain-text: true
  server: localhost:8080
- server: argocd.example.com
users:
- auth-token: local-token-1234
  name: local
- auth-token: prod-token-5678
  name: prod
`;

describe('argocd CLI configuration', () => {
  const directory = mkdtempSync(join(tmpdir(), 'argocd-config-'));
  const path = join(directory, 'config');
  writeFileSync(path, CONFIG);
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('resolves the current context and a named one', () => {
    expect(readCliConfig(path)).toMatchObject({
      contextName: 'local',
      server: 'localhost:8080',
      authToken: 'local-token-1234',
      insecure: true,
      plainText: true,
      grpcWebRootPath: '/argo',
    });
    expect(readCliConfig(path, 'prod')).toMatchObject({
      server: 'argocd.example.com',
      insecure: false,
      plainText: false,
    });
    expect(() => readCliConfig(path, 'missing')).toThrow(ValidationError);
    expect(() => readCliConfig(join(directory, 'nope'))).toThrow(ValidationError);
  });

  it('builds clients from the config file and from the environment', async () => {
    const fromFile = ArgoCDClient.fromCliConfig({ path });
    expect(fromFile.serverUrl).toBe('http://localhost:8080/argo');
    const prod = ArgoCDClient.fromCliConfig({ path, context: 'prod' });
    expect(prod.serverUrl).toBe('https://argocd.example.com');
    const fromEnv = ArgoCDClient.fromEnv({
      ARGOCD_SERVER: 'argocd.internal:8443',
      ARGOCD_AUTH_TOKEN: 'env-token-abcd',
      ARGOCD_OPTS: '--plaintext --grpc-web-root-path=/root',
    });
    expect(fromEnv.serverUrl).toBe('http://argocd.internal:8443/root');
    expect(() => ArgoCDClient.fromEnv({})).toThrow(ValidationError);
    await Promise.all([fromFile.close(), prod.close(), fromEnv.close()]);
  });

  it('finds the config where the CLI does', () => {
    expect(defaultCliConfigPath({ ARGOCD_CONFIG_DIR: '/x' })).toBe('/x/config');
    expect(defaultCliConfigPath({ HOME: '/nonexistent-home', XDG_CONFIG_HOME: '/xdg' })).toBe(
      '/xdg/argocd/config',
    );
    expect(defaultCliConfigPath({ HOME: '/nonexistent-home' })).toBe(
      '/nonexistent-home/.config/argocd/config',
    );
  });

  it('parses ARGOCD_OPTS and server URLs', () => {
    expect(parseArgoCDOpts('--insecure --server a:1 --auth-token t --grpc-web')).toMatchObject({
      insecure: true,
      server: 'a:1',
      authToken: 't',
      plaintext: false,
    });
    expect(normalizeServerUrl('https://h/argocd/')).toBe('https://h/argocd');
    expect(normalizeServerUrl('h:443', { rootPath: 'x' })).toBe('https://h/x');
  });
});

describe('argocd CLI configuration with insecure and a certificate authority', () => {
  const directory = mkdtempSync(join(tmpdir(), 'argocd-config-insecure-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('is refused like the tls options and a kubeconfig (a CA would be silently ignored)', () => {
    const path = join(directory, 'config');
    const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString(
      'base64',
    );
    writeFileSync(
      path,
      `contexts:\n- name: x\n  server: argocd.example.com\n  user: x\ncurrent-context: x\nservers:\n- server: argocd.example.com\n  insecure: true\n  certificate-authority-data: ${ca}\nusers:\n- name: x\n  auth-token: tok-1234\n`,
    );
    expect(() => ArgoCDClient.fromCliConfig({ path })).toThrow(
      /tls\.ca and tls\.insecureSkipVerify cannot both be set/,
    );
  });
});
