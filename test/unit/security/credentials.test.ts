// Credentials files (Mesos JSON and text forms), the authenticator, realms and start-up checks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFlagFile, parseCredential, parseCredentials } from '../../../src/security/credentials.ts';
import { authenticate, basicAuthorization, challenges } from '../../../src/security/authenticator.ts';
import { agentRealm, authorizableEndpoint, canonicalPath, masterRealm } from '../../../src/security/realms.ts';
import { loadMasterSecurity, loadAgentSecurity } from '../../../src/security/config.ts';
import { frameworkCredential } from '../../../src/security/framework-credential.ts';
import { StartupError } from '../../../src/common/http.ts';
import { tempDir } from '../../helpers/processes.ts';

describe('parseCredentials', () => {
  it('reads the Mesos JSON form with optional bearer tokens', () => {
    const set = parseCredentials(JSON.stringify({ credentials: [{ principal: 'ops', secret: 's3' }], tokens: [{ principal: 'ci', token: 'abcdefgh1234' }] }));
    assert.deepEqual(set, { credentials: [{ principal: 'ops', secret: 's3' }], tokens: [{ principal: 'ci', token: 'abcdefgh1234' }] });
  });

  it('reads the text form, one "principal secret" per line', () => {
    assert.deepEqual(parseCredentials('# ops team\nops s3\n\nweb  pw\n').credentials, [{ principal: 'ops', secret: 's3' }, { principal: 'web', secret: 'pw' }]);
  });

  it('names what is wrong', () => {
    assert.throws(() => parseCredentials('{"credentials":[{"principal":"a"}]}'), /'credentials\.0\.secret'/);
    assert.throws(() => parseCredentials('{"credentials":[],"tokens":[{"principal":"a","token":"short"}]}'), /'tokens\.0\.token' must be at least 8 characters/);
    assert.throws(() => parseCredentials('{"credentials":[{"principal":"a","secret":"x"},{"principal":"a","secret":"y"}]}'), /principal 'a' appears twice/);
    assert.throws(() => parseCredentials('{"credential":[]}'), /credential/);
    assert.throws(() => parseCredentials('{"credentials":[]}'), /no credentials or tokens/);
    assert.throws(() => parseCredentials('ops s3 extra'), /line 1: expected 'principal secret'/);
    assert.throws(() => parseCredentials('{oops'), /invalid JSON/);
  });

  it('reads an agent credential in either form', () => {
    assert.deepEqual(parseCredential('{"principal":"agent","secret":"pw"}'), { principal: 'agent', secret: 'pw' });
    assert.deepEqual(parseCredential('agent pw\n'), { principal: 'agent', secret: 'pw' });
    assert.throws(() => parseCredential('a b\nc d'), /exactly one/);
  });
});

describe('authenticate', () => {
  const set = parseCredentials(JSON.stringify({ credentials: [{ principal: 'ops', secret: 'p:w' }], tokens: [{ principal: 'ci', token: 'tok-123456' }] }));

  it('accepts the right Basic credentials (secret may contain a colon) and a known bearer token', () => {
    assert.deepEqual(authenticate(basicAuthorization('ops', 'p:w'), set), { kind: 'authenticated', principal: 'ops', scheme: 'basic' });
    assert.deepEqual(authenticate('Bearer tok-123456', set), { kind: 'authenticated', principal: 'ci', scheme: 'bearer' });
    assert.deepEqual(authenticate('bearer tok-123456', set), { kind: 'authenticated', principal: 'ci', scheme: 'bearer' });
  });

  it('is anonymous without a header', () => {
    assert.deepEqual(authenticate(undefined, set), { kind: 'anonymous' });
  });

  it('fails on wrong, unknown or malformed credentials, without telling which part was wrong', () => {
    const wrong = authenticate(basicAuthorization('ops', 'nope'), set);
    const unknown = authenticate(basicAuthorization('eve', 'p:w'), set);
    assert.equal(wrong.kind === 'failed' && wrong.reason, 'wrong-secret');
    assert.equal(unknown.kind === 'failed' && unknown.reason, 'unknown-principal');
    assert.equal(wrong.kind === 'failed' && unknown.kind === 'failed' && wrong.message === unknown.message, true);
    assert.equal((authenticate('Basic !!!', set) as { reason: string }).reason, 'malformed');
    assert.equal((authenticate('Bearer nope-nope', set) as { reason: string }).reason, 'unknown-token');
    assert.equal((authenticate('Digest x', set) as { reason: string }).reason, 'unsupported-scheme');
  });

  it("challenges as Mesos' basic authenticator (realm mesos), Bearer too when tokens exist", () => {
    assert.deepEqual(challenges(set), ['Basic realm="mesos"', 'Bearer realm="mesos"']);
    assert.deepEqual(challenges({ credentials: [{ principal: 'a', secret: 'b' }], tokens: [] }), ['Basic realm="mesos"']);
  });
});

describe('realms', () => {
  it("classifies the master's endpoints as Mesos does", () => {
    assert.equal(masterRealm('GET', '/master/state?jsonp=x'), 'readonly');
    assert.equal(masterRealm('GET', '/state.json'), 'readonly');
    assert.equal(masterRealm('GET', '/metrics/snapshot'), 'readonly');
    assert.equal(masterRealm('GET', '/files/browse?path=/x'), 'readonly');
    assert.equal(masterRealm('POST', '/api/v1'), 'readwrite');
    assert.equal(masterRealm('POST', '/master/api/v1'), 'readwrite');
    assert.equal(masterRealm('POST', '/master/teardown'), 'readwrite');
    assert.equal(masterRealm('GET', '/quota'), 'readwrite');
    assert.equal(masterRealm('POST', '/api/v1/scheduler'), 'framework');
    assert.equal(masterRealm('POST', '/api/v1/agent'), 'agent');
    for (const open of ['/health', '/master/health', '/master/redirect', '/version', '/']) assert.equal(masterRealm('GET', open), 'open', open);
  });

  it("classifies the agent's endpoints", () => {
    assert.equal(agentRealm('GET', '/slave(1)/state'), 'readonly');
    assert.equal(agentRealm('GET', '/files/read?path=x'), 'readonly');
    assert.equal(agentRealm('GET', '/health'), 'open');
  });

  it('knows the endpoints get_endpoints governs', () => {
    assert.equal(canonicalPath('/slave(1)/monitor/statistics?x=1'), '/monitor/statistics');
    assert.equal(authorizableEndpoint('/slave(1)/monitor/statistics'), '/monitor/statistics');
    assert.equal(authorizableEndpoint('/metrics/snapshot'), '/metrics/snapshot');
    assert.equal(authorizableEndpoint('/master/state'), undefined);
  });
});

describe('start-up checks', () => {
  it('fails with one line naming the flag and the problem', () => {
    const dir = tempDir();
    try {
      const bad = join(dir.path, 'bad.json');
      writeFileSync(bad, '{"credentials":[{"principal":"a"}]}');
      assert.throws(() => loadMasterSecurity({ credentialsFile: bad }), (e: Error) => e instanceof StartupError && e.message === `master: --credentials ${bad}: 'credentials.0.secret' Invalid input: expected string, received undefined`);
      assert.throws(() => loadMasterSecurity({ credentialsFile: join(dir.path, 'missing') }), /master: --credentials .*missing: cannot read it: ENOENT/);
      writeFileSync(bad, '{"permissive": 1}');
      assert.throws(() => loadMasterSecurity({ aclsFile: bad }), /^Error: master: --acls .*bad\.json: 'permissive'/);
      assert.throws(() => loadMasterSecurity({ authenticateHttpReadonly: true }), /master: --authenticate-http-readonly needs --credentials FILE/);
      assert.throws(() => loadAgentSecurity({ authenticateHttpReadonly: true }), /agent: --authenticate-http-readonly needs --http-credentials FILE/);
      assert.throws(() => loadAgentSecurity({ credentialFile: bad }), /agent: --credential .*: 'principal'/);
      assert.throws(() => loadFlagFile('x', '--f', bad, () => { throw new Error('boom'); }), /x: --f .*bad\.json: boom/);
    } finally { dir.remove(); }
  });

  it('reads a framework secret from a file or the environment, never both', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'secret');
      writeFileSync(file, 'pw\n');
      assert.deepEqual(frameworkCredential('marathon', 'mara', file, undefined, 'ENV'), { principal: 'mara', secret: 'pw' });
      assert.deepEqual(frameworkCredential('marathon', 'mara', undefined, 'envpw', 'ENV'), { principal: 'mara', secret: 'envpw' });
      assert.deepEqual(frameworkCredential('marathon', 'mara', undefined, undefined, 'ENV'), { principal: 'mara' });
      assert.equal(frameworkCredential('marathon', undefined, undefined, undefined, 'ENV'), undefined);
      assert.throws(() => frameworkCredential('marathon', 'mara', file, 'x', 'ENV'), /not both/);
      assert.throws(() => frameworkCredential('chronos', undefined, file, undefined, 'ENV'), /chronos: --mesos-authentication-secret-file \(or ENV\) needs --mesos-authentication-principal/);
      writeFileSync(file, '');
      assert.throws(() => frameworkCredential('marathon', 'mara', file, undefined, 'ENV'), /the file is empty/);
    } finally { dir.remove(); }
  });
});
