// The TLS settings module: which scheme an address means, how flags and $TRIREME_CA_FILE combine, how bad files
// and TLS failures read.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientTls, clientTlsFromFlags, describeConnectionError, describeTlsError, loadServerTls } from '../../src/security/tls.ts';
import { StartupError } from '../../src/common/http.ts';
import { makeCertificates, type TestCertificates } from '../helpers/tls.ts';

describe('ClientTls schemes', () => {
  const withCa = new ClientTls({ ca: Buffer.from('unused') });

  it('an explicit scheme wins; without one, http unless TLS is on', () => {
    assert.equal(ClientTls.none.schemeOf('127.0.0.1:5050'), 'http');
    assert.equal(ClientTls.none.schemeOf('https://m1:5050'), 'https');
    assert.equal(ClientTls.none.schemeOf('zk://z1:2181/mesos'), 'http');
    assert.equal(withCa.schemeOf('127.0.0.1:5050'), 'https');
    assert.equal(withCa.schemeOf('zk://z1:2181,z2:2181/mesos'), 'https');
    assert.equal(withCa.schemeOf('http://m1:5050,http://m2:5050'), 'http');
    assert.equal(withCa.schemeOf('m0:5050, https://m1:5050'), 'https');
    assert.equal(new ClientTls({ httpsByDefault: true }).schemeOf('m1:5050'), 'https');
  });

  it('baseUrl adds the default scheme and drops trailing slashes', () => {
    assert.equal(ClientTls.none.baseUrl('127.0.0.1:8080/'), 'http://127.0.0.1:8080');
    assert.equal(withCa.baseUrl(' 127.0.0.1:8080 '), 'https://127.0.0.1:8080');
    assert.equal(withCa.baseUrl('http://127.0.0.1:8080'), 'http://127.0.0.1:8080');
  });
});

describe('TLS files', () => {
  let certs: TestCertificates;
  before(() => { certs = makeCertificates(); });
  after(() => certs.remove());

  const startupError = (fn: () => unknown): string => {
    try { fn(); } catch (err) { assert.ok(err instanceof StartupError, String(err)); return err.message; }
    assert.fail('expected a StartupError');
  };

  it('loads a matching certificate and key, and nothing when neither flag is given', () => {
    assert.equal(loadServerTls('master'), undefined);
    const tls = loadServerTls('master', certs.certFile, certs.keyFile);
    assert.match(tls!.cert.toString(), /BEGIN CERTIFICATE/);
    assert.match(tls!.key.toString(), /PRIVATE KEY/);
  });

  it('names the flag of a missing, unreadable or wrong file', () => {
    assert.equal(startupError(() => loadServerTls('agent', undefined, certs.keyFile)), 'agent: --ssl-key needs --ssl-cert (give both to serve HTTPS)');
    assert.match(startupError(() => loadServerTls('agent', certs.dir, certs.keyFile)), /^agent: --ssl-cert .*: is a directory$/);
    const garbage = join(certs.dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate');
    assert.match(startupError(() => loadServerTls('agent', garbage, certs.keyFile)), /^agent: --ssl-cert .*garbage\.pem: not a PEM certificate$/);
    assert.match(startupError(() => loadServerTls('agent', certs.certFile, join(certs.dir, 'other-ca.key'))), /^agent: --ssl-key .*other-ca\.key does not belong to --ssl-cert/);
  });

  it('takes the CA from --ca-file, else $TRIREME_CA_FILE, naming whichever was bad', () => {
    assert.equal(clientTlsFromFlags('marathon', { env: {} }), ClientTls.none);
    assert.equal(clientTlsFromFlags('marathon', { env: { TRIREME_CA_FILE: '' } }), ClientTls.none);
    assert.equal(clientTlsFromFlags('marathon', { env: { TRIREME_CA_FILE: certs.caFile } }).defaultScheme, 'https');
    assert.equal(clientTlsFromFlags('marathon', { servesHttps: true, env: {} }).defaultScheme, 'https');
    assert.match(startupError(() => clientTlsFromFlags('marathon', { env: { TRIREME_CA_FILE: join(certs.dir, 'nope') } })), /^marathon: TRIREME_CA_FILE .*nope: no such file$/);
    assert.match(startupError(() => clientTlsFromFlags('marathon', { caFile: certs.keyFile, env: { TRIREME_CA_FILE: certs.caFile } })), /^marathon: --ca-file .*server\.key: not a PEM certificate$/);
  });
});

describe('TLS failure messages', () => {
  const fetchError = (code: string, message = code) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(message), { code }) });

  it('says the certificate is not trusted and how to fix it', () => {
    assert.equal(describeTlsError(fetchError('SELF_SIGNED_CERT_IN_CHAIN')), 'TLS: its certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN); give the CA that signed it with --ca-file or TRIREME_CA_FILE');
    assert.match(describeTlsError(Object.assign(new Error("Hostname/IP does not match certificate's altnames"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }))!, /does not name this host/);
    assert.match(describeTlsError(fetchError('EPROTO', 'ssl3_get_record:wrong version number'))!, /does not speak HTTPS; use an http:\/\//);
  });

  it('leaves other failures alone, with a hint for a connection an HTTPS server dropped', () => {
    assert.equal(describeTlsError(fetchError('ECONNREFUSED')), undefined);
    assert.equal(describeConnectionError(fetchError('ECONNREFUSED')), undefined);
    assert.match(describeConnectionError(fetchError('UND_ERR_SOCKET'))!, /if it serves HTTPS, use an https:\/\/ address or --ca-file/);
  });
});
