import { describe, expect, it } from 'vitest';
import { parseShow, systemctlArgv, unitState } from '../../src/agent/systemd.js';

// What `systemctl --user show` prints for two units, one of them unknown (systemd 252, captured).
const SHOW = `Id=botctl-alpha.service
MainPID=17218
NRestarts=2
LoadState=loaded
ActiveState=active
SubState=running

Id=botctl-beta.service
MainPID=0
NRestarts=0
LoadState=not-found
ActiveState=inactive
SubState=dead
`;

describe('the agent driving systemctl', () => {
  it('builds each systemctl argv exactly', () => {
    expect(systemctlArgv.enable('/opt/bots/bots/alpha/botctl-alpha.service')).toEqual(['--user', 'enable', '/opt/bots/bots/alpha/botctl-alpha.service']);
    expect(systemctlArgv.start('alpha')).toEqual(['--user', 'start', 'botctl-alpha.service']);
    expect(systemctlArgv.stop('alpha')).toEqual(['--user', 'stop', 'botctl-alpha.service']);
    expect(systemctlArgv.disable('alpha')).toEqual(['--user', 'disable', 'botctl-alpha.service']);
    expect(systemctlArgv.resetFailed('alpha')).toEqual(['--user', 'reset-failed', 'botctl-alpha.service']);
    expect(systemctlArgv.daemonReload()).toEqual(['--user', 'daemon-reload']);
    expect(systemctlArgv.show(['alpha', 'beta'])).toEqual([
      '--user', 'show', '--property=Id,LoadState,ActiveState,SubState,MainPID,NRestarts', 'botctl-alpha.service', 'botctl-beta.service',
    ]);
  });

  it('reads one block per unit, keyed by its Id', () => {
    const units = parseShow(SHOW);
    expect([...units.keys()]).toEqual(['botctl-alpha.service', 'botctl-beta.service']);
    expect(units.get('botctl-alpha.service')).toEqual({ Id: 'botctl-alpha.service', MainPID: '17218', NRestarts: '2', LoadState: 'loaded', ActiveState: 'active', SubState: 'running' });
  });

  it.each([
    [{ ActiveState: 'active', SubState: 'running' }, 'active'],
    [{ ActiveState: 'activating', SubState: 'start' }, 'active'],
    [{ ActiveState: 'activating', SubState: 'auto-restart' }, 'restarting'],
    [{ ActiveState: 'activating', SubState: 'auto-restart-queued' }, 'restarting'],
    [{ ActiveState: 'failed', SubState: 'failed-before-auto-restart' }, 'restarting'],
    [{ ActiveState: 'inactive', SubState: 'dead-before-auto-restart' }, 'restarting'],
    [{ ActiveState: 'failed', SubState: 'failed' }, 'failed'],
    [{ ActiveState: 'deactivating', SubState: 'stop-sigterm' }, 'inactive'],
    [{ ActiveState: 'inactive', SubState: 'dead' }, 'inactive'],
  ])('%j means %s', (props, state) => {
    expect(unitState(props)).toBe(state);
  });
});
