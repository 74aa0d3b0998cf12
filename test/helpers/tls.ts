// Throwaway certificates for TLS tests, made with the openssl CLI in a temp dir: a CA, a server certificate it
// signed for localhost and the given loopback addresses, and a second CA nobody trusts.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './processes.ts';

export interface TestCertificates {
  dir: string;
  /** The CA that signed `cert`. */
  caFile: string;
  /** A CA that signed nothing here: trusting it must not make `cert` valid. */
  otherCaFile: string;
  certFile: string;
  keyFile: string;
  remove(): void;
}

function openssl(cwd: string, args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

/** A CA and a server certificate for localhost, 127.0.0.1 and `ips`. */
export function makeCertificates(ips: string[] = []): TestCertificates {
  const tmp = tempDir('trireme-tls-');
  const dir = tmp.path;
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  const san = ['DNS:localhost', 'IP:127.0.0.1', ...ips.map((ip) => `IP:${ip}`)].join(',');
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext']);
  return {
    dir, caFile: join(dir, 'ca.pem'), otherCaFile: join(dir, 'other-ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key'),
    remove: tmp.remove,
  };
}
