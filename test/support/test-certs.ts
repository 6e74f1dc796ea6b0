/**
 * A throwaway certificate authority for local https servers in tests.
 *
 * Generated per run in memory (ECDSA P-256): a self-signed CA and leaf certificates for the
 * host names and IP addresses a test server listens on.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** A leaf certificate and its private key, both PEM. */
export interface IssuedCert {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A CA that issues server certificates. */
export interface TestCa {
  readonly caCertPem: string;
  issue(hosts: readonly string[]): Promise<IssuedCert>;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600 * 1000;

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

function pem(der: ArrayBuffer, label: string): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

// RFC 5280 §4.1.2.2: a positive serial; the leading 01 keeps the top bit clear.
function serialNumber(): string {
  return `01${Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex')}`;
}

/**
 * Create a CA valid from yesterday to tomorrow.
 *
 * `issue(['127.0.0.1', 'localhost'])` returns a server certificate with those names as SANs (IP
 * addresses become IP SANs).
 */
export async function createTestCa(): Promise<TestCa> {
  const caKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - DAY_MS);
  const notAfter = new Date(Date.now() + DAY_MS);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: 'CN=Tessera Test CA',
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });

  const issue = async (hosts: readonly string[]): Promise<IssuedCert> => {
    const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
    const names: x509.JsonGeneralName[] = hosts.map((host) =>
      /^[\d.]+$/.test(host) || host.includes(':') ? { type: 'ip', value: host } : { type: 'dns', value: host },
    );
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: `CN=${hosts[0] ?? 'localhost'}`,
      issuer: caCert.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(names),
      ],
    });
    const keyDer = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
    return { certPem: cert.toString('pem'), keyPem: pem(keyDer, 'PRIVATE KEY') };
  };

  return { caCertPem: caCert.toString('pem'), issue };
}
