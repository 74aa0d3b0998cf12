// The fetcher's reading of CommandInfo.URI: source, sandbox file name, extraction, as Mesos' fetcher.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { archiveKind, planFetch } from '../../../src/agent/fetcher-plan.ts';
import { dueForRemoval } from '../../../src/agent/sandbox-gc.ts';

describe('fetch plan', () => {
  it('http(s) URIs keep the last path segment as the file name; archives are extracted by default', () => {
    assert.deepEqual(planFetch({ value: 'http://127.0.0.1:8000/pkg/app.tar.gz?sig=1' }), { uri: 'http://127.0.0.1:8000/pkg/app.tar.gz?sig=1', source: { kind: 'http', url: 'http://127.0.0.1:8000/pkg/app.tar.gz?sig=1' }, name: 'app.tar.gz', executable: false, cache: false, extract: 'tar' });
    assert.equal(planFetch({ value: 'https://example.invalid/a.zip', extract: false }).extract, undefined);
  });
  it('file URIs and plain absolute paths are copies', () => {
    assert.deepEqual(planFetch({ value: 'file:///opt/my%20tool' }).source, { kind: 'file', path: '/opt/my tool' });
    assert.equal(planFetch({ value: 'file:///opt/my%20tool' }).name, 'my tool');
    assert.deepEqual(planFetch({ value: '/opt/run.sh', executable: true, cache: true }), { uri: '/opt/run.sh', source: { kind: 'file', path: '/opt/run.sh' }, name: 'run.sh', executable: true, cache: true });
  });
  it('executables are never extracted; output_file renames', () => {
    assert.equal(planFetch({ value: 'http://h/x.tgz', executable: true }).extract, undefined);
    const p = planFetch({ value: 'http://h/download?id=3', output_file: 'bin/tool.zip' });
    assert.equal(p.name, 'bin/tool.zip');
    assert.equal(p.extract, 'zip');
  });
  it('refuses what cannot be fetched, saying why', () => {
    assert.throws(() => planFetch({ value: 'hdfs://nn/x' }), /unsupported scheme 'hdfs'/);
    assert.throws(() => planFetch({ value: 'relative/path' }), /not an absolute path or a URL/);
    assert.throws(() => planFetch({ value: 'http://h/x', output_file: '../escape' }), /'output_file' must be a relative path inside the sandbox/);
    assert.throws(() => planFetch({ value: 'http://h/x', output_file: '/etc/passwd' }), /'output_file' must be a relative path/);
    assert.throws(() => planFetch({ value: 'http://h/' }), /set output_file/);
  });
  it('knows the archive kinds Mesos extracts', () => {
    for (const n of ['a.tar', 'a.tar.gz', 'a.TGZ', 'a.tar.bz2', 'a.txz']) assert.equal(archiveKind(n), 'tar', n);
    assert.equal(archiveKind('a.zip'), 'zip');
    assert.equal(archiveKind('a.gz'), 'gzip');
    assert.equal(archiveKind('a.jar'), undefined);
  });
});

describe('sandbox gc', () => {
  it('removes what is due, earliest first, and keeps the rest', () => {
    const pending = new Map([['/s/b', 200], ['/s/a', 100], ['/s/c', 1000]]);
    assert.deepEqual(dueForRemoval(pending, 500), ['/s/a', '/s/b']);
    assert.deepEqual(dueForRemoval(pending, 50), []);
  });
});
