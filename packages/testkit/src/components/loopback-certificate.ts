export interface LoopbackCertificate {
  /** PEM; trust it as a CA (e.g. `new https.Agent({ ca })`). */
  cert: string;
  key: string;
}

/** A throwaway self-signed certificate for https://127.0.0.1, made fresh for each server. */
export async function makeLoopbackCertificate(): Promise<LoopbackCertificate> {
  const { generate } = await import('selfsigned');
  const now = Date.now();
  const result = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 24 * 60 * 60 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { cert: result.cert, key: result.private };
}
