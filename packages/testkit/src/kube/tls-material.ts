import { generate } from 'selfsigned';

/** PEM material for a TLS-enabled emulator. */
export interface KubeTlsMaterial {
  /** The CA certificate clients should trust. */
  ca: string;
  serverCertificate: string;
  serverKey: string;
  /** A client certificate signed by the same CA (`CN` = the user name) for client-certificate auth. */
  clientCertificate: string;
  clientKey: string;
}

/**
 * Generates a throw-away CA, a server certificate for `127.0.0.1`/`localhost` and a client certificate, all
 * signed by that CA (EC P-256 keys, so generation takes milliseconds).
 *
 * @throws Error when key generation fails (propagated from `selfsigned`).
 * @example
 * ```ts
 * const tls = await generateKubeTlsMaterial('kube-emulator-user');
 * ```
 */
export async function generateKubeTlsMaterial(clientCommonName: string): Promise<KubeTlsMaterial> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + 7 * 24 * 3_600_000);
  const common = { keyType: 'ec' as const, algorithm: 'sha256', notBeforeDate, notAfterDate };
  const ca = await generate([{ name: 'commonName', value: 'kube-emulator-ca' }], {
    ...common,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const authority = { key: ca.private, cert: ca.cert };
  const server = await generate([{ name: 'commonName', value: 'kube-emulator' }], {
    ...common,
    ca: authority,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: 'kubernetes.default.svc' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const client = await generate([{ name: 'commonName', value: clientCommonName }], {
    ...common,
    ca: authority,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  return {
    ca: ca.cert,
    serverCertificate: server.cert,
    serverKey: server.private,
    clientCertificate: client.cert,
    clientKey: client.private,
  };
}
