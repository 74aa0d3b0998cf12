// CommandInfo.user: passwd parsing and when the task's command is started through setpriv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePasswdLine, switchUserArgs } from '../../../src/agent/containerizer/task-user.ts';

test('parsePasswdLine reads name, uid and gid; anything else is not an account', () => {
  assert.deepEqual(parsePasswdLine('nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n'), { name: 'nobody', uid: 65534, gid: 65534 });
  assert.equal(parsePasswdLine(''), undefined);
  assert.equal(parsePasswdLine('broken:x:abc:1:::'), undefined);
});

test('switchUserArgs: setpriv with uid, gid and the user\'s groups; nothing when the agent already is that user', () => {
  assert.deepEqual(switchUserArgs({ name: 'nobody', uid: 65534, gid: 65534 }, { uid: 0, gid: 0 }), ['setpriv', '--reuid=65534', '--regid=65534', '--init-groups', '--']);
  assert.deepEqual(switchUserArgs({ name: 'root', uid: 0, gid: 0 }, { uid: 0, gid: 0 }), []);
});
