import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS, RUNTIME_EXIT } from '../../src/runtime/events.js';
import { WebexSim } from '../../src/sim/webex/sim.js';
import { BotProcess, REPO, waitFor } from '../support/bots.js';
import { stream } from './stream.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

// Every call that writes an event names it as a literal: log.info('x'), this.log.warn('y', ...).
function emittedInSource(): Set<string> {
  const names = new Set<string>();
  for (const file of sources(path.join(REPO, 'src/runtime'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\blog\.(?:info|warn|error)\(\s*'([a-z_]+(?:\.[a-z_]+)?)'/g)) names.add(m[1]!);
    // ...or picks one of two names: log.info(registered ? 'device.registered' : 'device.found', ...).
    for (const m of text.matchAll(/\? '([a-z_]+\.[a-z_]+)' : '([a-z_]+\.[a-z_]+)'/g)) names.add(m[1]!).add(m[2]!);
  }
  return names;
}

let sim: WebexSim;
beforeAll(async () => {
  sim = new WebexSim();
  await sim.start();
});
afterAll(async () => {
  await sim.stop();
});

describe('the log contract', () => {
  it('lists exactly the events the runtime emits', () => {
    expect([...emittedInSource()].sort()).toEqual(Object.keys(EVENTS).sort());
  });

  it('covers every line a running bot writes, and every line names its event', async () => {
    sim.addBot('token-contract-abcdef', 'Contract');
    const roomId = sim.directRoom('token-contract-abcdef').id;
    const bot = new BotProcess('contract', 'token-contract-abcdef', sim).start();
    await bot.ready();
    await stream(sim, bot, roomId, 6, { 2: () => void sim.hub.kill(bot.token), 4: () => sim.fault(bot.token, { serverErrors: { remaining: 2, status: 503 } }) });
    expect(await bot.stop()).toBe(RUNTIME_EXIT.OK);
    const lines = bot.logs();
    expect(lines.length).toBeGreaterThan(20);
    for (const l of lines) expect(Object.keys(EVENTS)).toContain(l.event);
  });
});

describe('a token the platform refuses', () => {
  it('stops with a clear fatal event and exit 1, no retry loop, and the token never in the log', async () => {
    const secret = 'not-a-real-token-7f3a9c';
    const bot = new BotProcess('refused', secret, sim).start();
    expect(await bot.wait()).toBe(RUNTIME_EXIT.FATAL);
    await waitFor('runtime.fatal logged', () => bot.events('runtime.fatal').length === 1);
    expect(String(bot.events('runtime.fatal')[0]!.error)).toMatch(/refused the token|401/);
    expect(bot.events('http.retry')).toHaveLength(0);
    expect(readFileSync(bot.logFile, 'utf8')).not.toContain(secret);
  });
});

describe('the README', () => {
  it('documents exactly the contract', () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8').split('### Log events')[1]!.split('\n## ')[0]!;
    const documented = [...readme.matchAll(/^\| `([a-z_]+(?:\.[a-z_]+)?)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(documented)).toEqual(EVENTS);
  });
});
