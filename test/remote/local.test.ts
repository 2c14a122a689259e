import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalHost } from '../../src/remote/local.js';

const host = new LocalHost('local');

describe('local host', () => {
  it('runs argv without a shell and returns what it printed', async () => {
    const r = await host.run(['printf', '%s|', '$(id)', '; rm -rf / #']);
    expect(r).toMatchObject({ code: 0, stdout: '$(id)|; rm -rf / #|' });
  });

  it('returns non-zero exits and stderr as results', async () => {
    expect(await host.run(['sh', '-c', 'echo e >&2; exit 3'])).toMatchObject({ code: 3, stderr: 'e\n' });
  });

  it('reports a missing program like a shell would (127)', async () => {
    expect((await host.run(['no-such-command-botctl'])).code).toBe(127);
  });

  it('feeds stdin', async () => {
    expect((await host.run(['cat'], { stdin: 'in' })).stdout).toBe('in');
  });

  it('stops a command at its timeout with E_TIMEOUT', async () => {
    await expect(host.run(['sleep', '10'], { timeoutMs: 200 })).rejects.toMatchObject({ code: 'E_TIMEOUT' });
  });

  it('copies a file into place', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-local-'));
    writeFileSync(path.join(dir, 'a'), 'A');
    await host.put(path.join(dir, 'a'), path.join(dir, 'b'));
    expect(readFileSync(path.join(dir, 'b'), 'utf8')).toBe('A');
  });
});
