// CommandInfo.user: passwd parsing and when the task's command is started through setpriv.
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePasswdLine, switchUserArgs, taskUser } from '../../../src/agent/containerizer/task-user.ts';

test('parsePasswdLine reads name, uid and gid; anything else is not an account', () => {
  assert.deepEqual(parsePasswdLine('nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n'), { name: 'nobody', uid: 65534, gid: 65534 });
  assert.equal(parsePasswdLine(''), undefined);
  assert.equal(parsePasswdLine('broken:x:abc:1:::'), undefined);
});

test('switchUserArgs: setpriv with uid, gid and the user\'s groups; nothing when the agent already is that user', () => {
  assert.deepEqual(switchUserArgs({ name: 'nobody', uid: 65534, gid: 65534 }, { uid: 0, gid: 0 }), ['setpriv', '--reuid=65534', '--regid=65534', '--init-groups', '--']);
  assert.deepEqual(switchUserArgs({ name: 'root', uid: 0, gid: 0 }, { uid: 0, gid: 0 }), []);
});

describe('taskUser (--switch-user)', () => {
  it('CommandInfo.user first, then FrameworkInfo.user on a root agent; nobody with --no-switch-user', () => {
    assert.deepEqual(taskUser({ commandUser: 'alice', frameworkUser: 'bob', switchUser: true, agentIsRoot: true }), { name: 'alice', field: 'CommandInfo.user' });
    assert.deepEqual(taskUser({ frameworkUser: 'bob', switchUser: true, agentIsRoot: true }), { name: 'bob', field: 'FrameworkInfo.user' });
    assert.equal(taskUser({ frameworkUser: 'bob', switchUser: true, agentIsRoot: false }), undefined, 'a non-root agent cannot switch to the framework user');
    assert.deepEqual(taskUser({ commandUser: 'alice', switchUser: true, agentIsRoot: false }), { name: 'alice', field: 'CommandInfo.user' }, 'an explicit user is refused, not ignored');
    assert.equal(taskUser({ frameworkUser: '', switchUser: true, agentIsRoot: true }), undefined);
    assert.equal(taskUser({ commandUser: 'alice', frameworkUser: 'bob', switchUser: false, agentIsRoot: true }), undefined);
  });
});
