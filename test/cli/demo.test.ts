import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { botctl, REPO } from '../support/cli.js';

// The README's first command, on a copy of the repository's fleet: no account, no VM.
const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-demo-'));
for (const f of ['fleet.yaml', 'fleet.schema.json', 'bots', 'release-locks']) cpSync(path.join(REPO, f), path.join(dir, f), { recursive: true });
const env = { BOTCTL_NPM_OFFLINE: '1' };
const run = (args: string[]) => botctl(args, { cwd: dir, env });

afterAll(async () => {
  await run(['down']);
});

describe('the local demo', () => {
  it('botctl up starts the simulator and all seven bots; they answer; botctl down stops it all', async () => {
    const up = await run(['up']);
    expect(up.exitCode).toBe(0);
    expect(up.stdout).toMatch(/simulator on http:\/\/127\.0\.0\.1:\d+; try: botctl say jarvis \/status/);
    const rows = JSON.parse((await run(['status', '--json'])).stdout) as { bot: string; state: string; dependencies: Record<string, string> }[];
    expect(rows.map((r) => [r.bot, r.state])).toEqual(['jarvis', 'tars', 'barnacles', 'money_ball', 'toodles', 'msoar', 'jarvis-tg'].map((b) => [b, 'running']));
    expect(rows.find((r) => r.bot === 'barnacles')!.dependencies.ws).toBe('8.17.1');
    expect((await run(['say', 'jarvis', '/status'])).stdout).toMatch(/^jarvis release [0-9a-f]{12} \(ws@8\.18\.3 undici@7\.16\.0\) up \d+m\d+s$/);
    expect((await run(['say', 'tars', 'hello'])).stdout).toBe('echo: hello');
    expect((await run(['say', 'jarvis-tg', 'hi'])).stdout).toBe('send /status to see what I run');
    const down = await run(['down']);
    expect(down.stdout).toBe('stopped 7 bots and the simulator');
    expect(JSON.parse((await run(['status', '--json'])).stdout).every((r: { state: string }) => r.state === 'stopped')).toBe(true);
    expect((await run(['say', 'jarvis', 'hi'])).exitCode).toBe(2);
  });
});
