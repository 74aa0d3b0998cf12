// Where the operator CLI finds credentials: flags naming files, the environment, the config file (per-service
// sections), in that order; problems are one usage line; the header each kind sends.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authorizationHeader, configPath, resolveCredentials, type CredentialFlags } from '../../../src/cli/ops/credentials.ts';
import { CliError } from '../../../src/cli/ops/http.ts';

function files(map: Record<string, string>) {
  return (path: string): string => {
    if (path in map) return map[path]!;
    throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  };
}
const CONFIG = '/home/u/.config/trireme/config.json';
const resolve = (flags: CredentialFlags, env: NodeJS.ProcessEnv, fs: Record<string, string> = {}) =>
  resolveCredentials({ flags, env, readFile: files(fs), home: '/home/u' });
const usage = (pattern: RegExp) => (err: unknown) => err instanceof CliError && err.kind === 'usage' && pattern.test(err.message);

describe('CLI credentials', () => {
  it('none anywhere: no credentials (a missing default config file is fine)', () => {
    assert.deepEqual(resolve({}, {}), { master: undefined, marathon: undefined, chronos: undefined });
  });

  it('environment: TRIREME_USER + TRIREME_PASSWORD for every service, or TRIREME_TOKEN', () => {
    const r = resolve({}, { TRIREME_USER: 'alice', TRIREME_PASSWORD: 'pw' });
    assert.equal(authorizationHeader(r.marathon!), `Basic ${Buffer.from('alice:pw').toString('base64')}`);
    assert.deepEqual(r.master, r.chronos);
    assert.equal(authorizationHeader(resolve({}, { TRIREME_TOKEN: 'tok' }).chronos!), 'Bearer tok');
    assert.throws(() => resolve({}, { TRIREME_USER: 'alice' }), usage(/user 'alice' has no password/));
    assert.throws(() => resolve({}, { TRIREME_USER: 'a', TRIREME_PASSWORD: 'p', TRIREME_TOKEN: 't' }), usage(/either a token or a user/));
  });

  it('flags beat the environment; secrets come from files or TRIREME_PASSWORD, never an argument', () => {
    const r = resolve({ user: 'bob', passwordFile: '/pw' }, { TRIREME_USER: 'alice', TRIREME_PASSWORD: 'pw' }, { '/pw': 'secret\n' });
    assert.deepEqual(r.marathon, { kind: 'basic', user: 'bob', password: 'secret', source: '--user' });
    assert.equal(resolve({ user: 'bob' }, { TRIREME_PASSWORD: 'envpw' }).master?.kind, 'basic');
    assert.deepEqual(resolve({ tokenFile: '/t' }, {}, { '/t': 'abc\n' }).marathon, { kind: 'bearer', token: 'abc', source: '--token-file' });
    assert.throws(() => resolve({ user: 'bob' }, {}), usage(/--user bob: no password: set TRIREME_PASSWORD or give --password-file/));
    assert.throws(() => resolve({ tokenFile: '/missing' }, {}), usage(/--token-file \/missing: no such file/));
    assert.throws(() => resolve({ tokenFile: '/t' }, {}, { '/t': '\n' }), usage(/the file is empty/));
    assert.throws(() => resolve({ passwordFile: '/pw' }, {}, { '/pw': 'x' }), usage(/--password-file needs --user/));
  });

  it('config file: per-service sections over the top level; environment over both', () => {
    const config = JSON.stringify({ user: 'ops', password: 'opspw', marathon: { token: 'mtok' } });
    const r = resolve({}, {}, { [CONFIG]: config });
    assert.equal(authorizationHeader(r.marathon!), 'Bearer mtok');
    assert.equal(r.chronos?.kind === 'basic' && r.chronos.user, 'ops');
    assert.equal(r.master?.kind === 'basic' && r.master.user, 'ops');
    assert.equal(resolve({}, { TRIREME_TOKEN: 'envtok' }, { [CONFIG]: config }).marathon?.kind === 'bearer' && 'from env', 'from env');
  });

  it('config file location: --config, $TRIREME_CONFIG, $XDG_CONFIG_HOME, ~/.config; a named one must exist', () => {
    assert.deepEqual(configPath({ config: '/c.json' }, { TRIREME_CONFIG: '/e.json' }, '/h'), { path: '/c.json', explicit: true });
    assert.deepEqual(configPath({}, { TRIREME_CONFIG: '/e.json' }, '/h'), { path: '/e.json', explicit: true });
    assert.deepEqual(configPath({}, { XDG_CONFIG_HOME: '/x' }, '/h'), { path: '/x/trireme/config.json', explicit: false });
    assert.deepEqual(configPath({}, {}, '/h'), { path: '/h/.config/trireme/config.json', explicit: false });
    assert.throws(() => resolve({}, { TRIREME_CONFIG: '/nope.json' }), usage(/config file \/nope\.json: no such file/));
  });

  it('a bad config file is one line naming the file and field', () => {
    assert.throws(() => resolve({}, {}, { [CONFIG]: '{' }), usage(/config file .*config\.json: not valid JSON/));
    assert.throws(() => resolve({}, {}, { [CONFIG]: '{"usr":"a"}' }), usage(/usr; known: user, password, token/));
    assert.throws(() => resolve({}, {}, { [CONFIG]: '{"marathon":{"user":"a"}}' }), usage(/\(marathon\): user 'a' has no password/));
  });
});
