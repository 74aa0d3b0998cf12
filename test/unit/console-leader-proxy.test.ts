// Which requests a standby master forwards to the leader for the web console: the console's own calls (marked
// X-Requested-With) for leader data; never the page, /master/redirect, other clients, or a request already forwarded.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FORWARDED_HEADER, forwardsToLeader } from '../../src/master/http/console-leader-proxy.ts';

const fromConsole = (url: string, extra: Record<string, string> = {}) => ({ url, headers: { 'x-requested-with': 'XMLHttpRequest', ...extra } });

describe('console leader proxy', () => {
  it('forwards the console calls that need the leader', () => {
    for (const url of ['/api/v1', '/agents/a1-S0/files/read?path=%2Fx&offset=0', '/master/slaves?slave_id=x', '/master/frameworks', '/metrics/snapshot', '/master/state', '/state.json']) {
      assert.equal(forwardsToLeader(fromConsole(url)), true, url);
    }
  });
  it('keeps the page, its assets, /master/redirect and /master/health local', () => {
    for (const url of ['/', '/assets/master-abc.js', '/master/redirect', '/redirect', '/master/health', '/api/v1/scheduler', '/metrics']) {
      assert.equal(forwardsToLeader(fromConsole(url)), false, url);
    }
  });
  it('other clients get the redirect as from Mesos; a forwarded request is never forwarded again', () => {
    assert.equal(forwardsToLeader({ url: '/api/v1', headers: {} }), false);
    assert.equal(forwardsToLeader(fromConsole('/api/v1', { [FORWARDED_HEADER]: '127.0.0.1:5050' })), false);
  });
});
