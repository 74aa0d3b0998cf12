// Marathon's and Chronos' HTTP authentication, pure parts: credential parsing (flag and file) and what an
// Authorization header proves, and which requests need credentials at all.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeCredentials, parseCredentialsFile, parseCredentialsFlag, type HttpCredentialSet } from '../../../src/security/http-auth-credentials.ts';
import { authenticateHeader, needsAuthentication } from '../../../src/security/http-auth.ts';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const set: HttpCredentialSet = { credentials: [{ principal: 'admin', secret: 'pa:ss' }], tokens: [{ principal: 'ci', token: 'tok-12345678' }] };

describe('credential parsing', () => {
  it('reads --http-credentials user:password, the password may hold colons', () => {
    assert.deepEqual(parseCredentialsFlag('admin:pa:ss'), { principal: 'admin', secret: 'pa:ss' });
    for (const bad of ['admin', ':pw', 'admin:', '']) assert.throws(() => parseCredentialsFlag(bad), /expected 'user:password'/);
  });

  it('reads the Mesos JSON credentials shape with optional bearer tokens', () => {
    assert.deepEqual(parseCredentialsFile('{"credentials":[{"principal":"a","secret":"b"}]}'), { credentials: [{ principal: 'a', secret: 'b' }], tokens: [] });
    assert.deepEqual(parseCredentialsFile('{"tokens":[{"principal":"ci","token":"0123456789"}]}').tokens, [{ principal: 'ci', token: '0123456789' }]);
  });

  it('names what is wrong in a bad file', () => {
    assert.throws(() => parseCredentialsFile('{'), /invalid JSON/);
    assert.throws(() => parseCredentialsFile('{}'), /no credentials or tokens/);
    assert.throws(() => parseCredentialsFile('{"credentials":[{"principal":"a"}]}'), /'credentials\.0\.secret'/);
    assert.throws(() => parseCredentialsFile('{"tokens":[{"principal":"a","token":"short"}]}'), /'tokens\.0\.token' must be at least 8/);
    assert.throws(() => parseCredentialsFile('{"credential":[]}'), /credential/);
  });

  it('merges the flag and the file, refusing one user with two passwords', () => {
    const merged = mergeCredentials([{ credentials: [{ principal: 'a', secret: 'x' }], tokens: [] }, { credentials: [{ principal: 'a', secret: 'x' }, { principal: 'b', secret: 'y' }], tokens: [] }]);
    assert.deepEqual(merged.credentials.map((c) => c.principal), ['a', 'b']);
    assert.throws(() => mergeCredentials([{ credentials: [{ principal: 'a', secret: 'x' }], tokens: [] }, { credentials: [{ principal: 'a', secret: 'z' }], tokens: [] }]), /'a' is given twice/);
  });
});

describe('authenticateHeader', () => {
  it('accepts the right Basic credentials and a known bearer token', () => {
    assert.deepEqual(authenticateHeader(basic('admin', 'pa:ss'), set), { kind: 'authenticated', principal: 'admin', scheme: 'basic' });
    assert.deepEqual(authenticateHeader('Bearer tok-12345678', set), { kind: 'authenticated', principal: 'ci', scheme: 'bearer' });
    assert.deepEqual(authenticateHeader('bearer  tok-12345678 ', set), { kind: 'authenticated', principal: 'ci', scheme: 'bearer' });
  });

  it('no header is anonymous', () => {
    assert.deepEqual(authenticateHeader(undefined, set), { kind: 'anonymous' });
    assert.deepEqual(authenticateHeader('', set), { kind: 'anonymous' });
  });

  it('refuses a wrong password and an unknown user with the same message', () => {
    const wrong = authenticateHeader(basic('admin', 'nope'), set);
    const unknown = authenticateHeader(basic('mallory', 'pa:ss'), set);
    assert.equal(wrong.kind, 'failed');
    assert.deepEqual(wrong, unknown);
  });

  it('refuses unknown tokens, malformed headers and other schemes', () => {
    assert.match(JSON.stringify(authenticateHeader('Bearer nope-nope-nope', set)), /Invalid bearer token/);
    assert.match(JSON.stringify(authenticateHeader('Basic !!!', set)), /malformed/);
    assert.match(JSON.stringify(authenticateHeader(`Basic ${Buffer.from('nocolon').toString('base64')}`, set)), /malformed/);
    assert.match(JSON.stringify(authenticateHeader('Bearer', set)), /malformed/);
    assert.match(JSON.stringify(authenticateHeader('Digest x=1', set)), /Unsupported authentication scheme 'digest'/);
  });
});

describe('needsAuthentication', () => {
  const open = new Set(['/ping']);
  const api = ['/v2', '/metrics'];
  it('guards every API path and method', () => {
    for (const [m, u] of [['GET', '/v2/apps'], ['GET', '/v2/events?event_type=x'], ['POST', '/v2/apps'], ['GET', '/metrics'], ['DELETE', '/v2/leader']]) {
      assert.equal(needsAuthentication(m!, u!, open, api), true, `${m} ${u}`);
    }
  });
  it('leaves /ping, CORS preflights and the web UI\'s static GETs open, but no write anywhere', () => {
    assert.equal(needsAuthentication('GET', '/ping', open, api), false);
    assert.equal(needsAuthentication('OPTIONS', '/v2/apps', open, api), false);
    assert.equal(needsAuthentication('GET', '/', open, api), false);
    assert.equal(needsAuthentication('GET', '/assets/index.js', open, api), false);
    assert.equal(needsAuthentication('GET', '/v2x', open, api), false);
    assert.equal(needsAuthentication('POST', '/', open, api), true);
  });
});
