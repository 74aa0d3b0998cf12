// Mesos ACL parsing and evaluation (first matching rule decides; otherwise `permissive`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAuthorized, parseAcls, restrictsViewing } from '../../../src/security/acls.ts';
import { forbiddenRoles, mayAccessSandbox, mayTeardown, runTaskRefusal } from '../../../src/security/authorizer.ts';

const acls = (json: unknown) => parseAcls(JSON.stringify(json));

describe('parseAcls', () => {
  it('reads the Mesos shape, permissive defaulting to true', () => {
    const a = acls({ run_tasks: [{ principals: { values: ['ops'] }, users: { type: 'ANY' } }] });
    assert.equal(a.permissive, true);
    assert.deepEqual(a.rules.run_tasks, [{ subjects: { kind: 'SOME', values: ['ops'] }, objects: { kind: 'ANY' } }]);
    assert.equal(acls({ permissive: false }).permissive, false);
  });

  it('names the field of a bad rule', () => {
    assert.throws(() => acls({ run_tasks: [{ principals: { values: ['a'] }, roles: { values: ['r'] } }] }), /'run_tasks\.0' Unrecognized key: "roles": a run_tasks rule has 'principals' and 'users'/);
    assert.throws(() => acls({ view_tasks: [{ principals: { type: 'SOMETIMES' } }] }), /'view_tasks\.0\.principals\.type'/);
    assert.throws(() => acls({ register_frameworks: [{ principals: {} }] }), /'register_frameworks\.0\.principals' expected 'values' or 'type'/);
    assert.throws(() => acls({ launch_rockets: [] }), /launch_rockets.*known are permissive, register_frameworks/);
    assert.throws(() => acls({ permissive: 'yes' }), /'permissive'/);
    assert.throws(() => parseAcls('{not json'), /invalid JSON/);
  });
});

describe('isAuthorized', () => {
  const rules = acls({
    permissive: true,
    run_tasks: [
      { principals: { values: ['ops'] }, users: { values: ['ops', 'web'] } },
      { principals: { values: ['ci'] }, users: { type: 'NONE' } },
      { principals: { type: 'ANY' }, users: { values: ['secret'] } },
    ],
  });

  it('allows what a matching rule grants', () => {
    assert.equal(isAuthorized(rules, 'run_tasks', 'ops', 'web'), true);
  });

  it('denies what a matching rule does not grant (NONE objects)', () => {
    assert.equal(isAuthorized(rules, 'run_tasks', 'ci', 'web'), false);
  });

  it('falls back to permissive when no rule matches', () => {
    assert.equal(isAuthorized(rules, 'run_tasks', 'ops', 'nobody'), true);
    assert.equal(isAuthorized({ ...rules, permissive: false }, 'run_tasks', 'ops', 'nobody'), false);
    assert.equal(isAuthorized(acls({ permissive: false }), 'view_tasks', 'ops', 'x'), false);
  });

  it('lets an ANY subject rule cover every principal and anonymous requests', () => {
    assert.equal(isAuthorized(rules, 'run_tasks', 'someone', 'secret'), true);
    assert.equal(isAuthorized(rules, 'run_tasks', undefined, 'secret'), true);
  });

  it('matches anonymous requests only to ANY or NONE subjects', () => {
    const a = acls({ permissive: false, view_frameworks: [{ principals: { values: ['ops'] }, users: { type: 'ANY' } }] });
    assert.equal(isAuthorized(a, 'view_frameworks', 'ops', 'alice'), true);
    assert.equal(isAuthorized(a, 'view_frameworks', undefined, 'alice'), false);
    const none = acls({ view_frameworks: [{ principals: { type: 'NONE' }, users: { values: ['alice'] } }] });
    // "nobody may see alice's frameworks": anonymous and named principals alike.
    assert.equal(isAuthorized(none, 'view_frameworks', undefined, 'alice'), false);
    assert.equal(isAuthorized(none, 'view_frameworks', 'ops', 'alice'), false);
    assert.equal(isAuthorized(none, 'view_frameworks', 'ops', 'bob'), true);
  });

  it('treats an unknown object as ANY: only ANY/NONE object rules apply to it', () => {
    const a = acls({ teardown_frameworks: [{ principals: { values: ['ops'] }, framework_principals: { values: ['marathon'] } }, { principals: { values: ['ops'] }, framework_principals: { type: 'NONE' } }] });
    assert.equal(isAuthorized(a, 'teardown_frameworks', 'ops', 'marathon'), true);
    assert.equal(isAuthorized(a, 'teardown_frameworks', 'ops', undefined), false);
  });

  it('takes the first matching rule, not the most specific one', () => {
    const a = acls({ get_endpoints: [{ principals: { type: 'ANY' }, paths: { type: 'NONE' } }, { principals: { values: ['ops'] }, paths: { values: ['/metrics/snapshot'] } }] });
    assert.equal(isAuthorized(a, 'get_endpoints', 'ops', '/metrics/snapshot'), false);
  });

  it('allows everything without ACLs', () => {
    assert.equal(isAuthorized(undefined, 'run_tasks', undefined, 'root'), true);
  });
});

describe('authorizer decisions', () => {
  it('run_tasks: denied users get a message naming user, principal and ACL', () => {
    const a = acls({ run_tasks: [{ principals: { values: ['web'] }, users: { values: ['www'] } }, { principals: { values: ['web'] }, users: { type: 'NONE' } }] });
    assert.equal(runTaskRefusal(a, true, 'web', 'www'), undefined);
    assert.match(runTaskRefusal(a, true, 'web', 'alice')!, /Not authorized to launch as user 'alice' \(principal 'web', run_tasks ACL\)/);
  });

  it('root needs --allow-root-tasks and, with ACLs, a rule naming root (ANY is not enough)', () => {
    const any = acls({ run_tasks: [{ principals: { values: ['ops'] }, users: { type: 'ANY' } }] });
    const named = acls({ run_tasks: [{ principals: { values: ['ops'] }, users: { values: ['root'] } }] });
    assert.equal(runTaskRefusal(undefined, true, undefined, 'root'), undefined, 'no ACLs, default flag: unchanged behaviour');
    assert.match(runTaskRefusal(undefined, false, 'ops', 'root')!, /--allow-root-tasks=false/);
    assert.match(runTaskRefusal(any, true, 'ops', 'root')!, /no run_tasks ACL names user 'root' for principal 'ops'/);
    assert.equal(runTaskRefusal(named, true, 'ops', 'root'), undefined);
    assert.match(runTaskRefusal(named, false, 'ops', 'root')!, /--allow-root-tasks=false/);
    assert.match(runTaskRefusal(named, true, 'dev', 'root')!, /principal 'dev'/);
  });

  it('register_frameworks lists the forbidden roles', () => {
    const a = acls({ register_frameworks: [{ principals: { values: ['web'] }, roles: { values: ['web'] } }, { principals: { type: 'ANY' }, roles: { type: 'NONE' } }] });
    assert.deepEqual(forbiddenRoles(a, 'web', ['web', 'batch']), ['batch']);
    assert.deepEqual(forbiddenRoles(a, undefined, ['web']), ['web']);
  });

  it('teardown and sandboxes', () => {
    const a = acls({
      teardown_frameworks: [{ principals: { values: ['ops'] }, framework_principals: { type: 'ANY' } }, { principals: { type: 'ANY' }, framework_principals: { type: 'NONE' } }],
      access_sandboxes: [{ principals: { values: ['alice'] }, users: { values: ['alice'] } }, { principals: { type: 'ANY' }, users: { type: 'NONE' } }],
    });
    assert.equal(mayTeardown(a, 'ops', 'marathon'), true);
    assert.equal(mayTeardown(a, 'dev', 'marathon'), false);
    assert.equal(mayAccessSandbox(a, 'alice', 'alice'), true);
    assert.equal(mayAccessSandbox(a, 'bob', 'alice'), false);
    assert.equal(mayAccessSandbox(a, undefined, 'alice'), false);
  });

  it('restrictsViewing only when something can be hidden', () => {
    assert.equal(restrictsViewing(undefined), false);
    assert.equal(restrictsViewing(acls({ run_tasks: [] })), false);
    assert.equal(restrictsViewing(acls({ permissive: false })), true);
    assert.equal(restrictsViewing(acls({ view_tasks: [{ principals: { type: 'ANY' }, users: { type: 'ANY' } }] })), true);
  });
});
