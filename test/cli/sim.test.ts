import { execa } from 'execa';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BotProcess, telegramBot, waitFor } from '../support/bots.js';
import { REPO } from '../support/cli.js';

const procs: { kill(sig?: NodeJS.Signals): unknown }[] = [];
afterEach(() => {
  for (const p of procs.splice(0)) p.kill('SIGINT');
});

async function control(base: string, route: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}/_sim/${route}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  return (await res.json()) as Record<string, unknown>;
}

describe('botctl sim', () => {
  it('serves the local fleet, and a bot answers through it', async () => {
    const sim = execa('node', [path.join(REPO, 'bin/botctl'), 'sim', '--port', '0'], { cwd: REPO, env: { NO_COLOR: '1' }, reject: false });
    procs.push(sim);
    let out = '';
    sim.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    // The banner is written in several pieces: wait for its last line.
    await waitFor('the whole banner', () => out.includes('Ctrl-C to stop'));
    const base = /simulator on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    expect(out).toMatch(/jarvis +│ webex +│ demo token sim-jarvis /);

    // jarvis runs bots/status.ts in fleet.yaml; run it against the CLI's simulator.
    const fake = { urls: { apiBase: `${base}/v1`, wdmBase: `${base}/wdm/api/v1` } };
    const bot = new BotProcess('jarvis', 'sim-jarvis', fake, { entry: path.join(REPO, 'dist/bots/status.js') }).start();
    procs.push({ kill: () => bot.stop() });
    await bot.ready();
    await control(base, 'say', { bot: 'jarvis', text: '/status' });
    const reply = await waitFor('jarvis answers', async () => {
      const items = (await control(base, 'messages?bot=jarvis')).items as { text: string }[];
      return items.find((m) => m.text.startsWith('jarvis release'));
    });
    expect(reply.text).toMatch(/\(ws@8\.18\.3 undici@7\.16\.0\)/);

    // The fleet's Telegram bot answers through the same simulator.
    expect(out).toMatch(/jarvis-tg +│ telegram +│ demo token sim-jarvis-tg/);
    const tg = telegramBot('jarvis-tg', 'sim-jarvis-tg', base, { entry: path.join(REPO, 'dist/bots/status.js') }).start();
    procs.push({ kill: () => tg.stop() });
    await tg.ready();
    await control(base, 'telegram/say', { bot: 'jarvis-tg', text: '/status' });
    const tgReply = await waitFor('jarvis-tg answers', async () => {
      const items = (await control(base, 'telegram/messages?bot=jarvis-tg')).items as { text: string }[];
      return items.find((m) => m.text.startsWith('jarvis-tg release'));
    });
    expect(tgReply.text).toMatch(/\(ws@8\.18\.3 undici@7\.16\.0\)/);
    await tg.stop();

    const faults = await control(base, 'faults', { bot: 'jarvis', dropPongs: true });
    expect(faults.dropPongs).toBe(true);
    expect(await control(base, 'stats')).toMatchObject({ socketsAuthorized: 1 });
    await bot.stop();
    sim.kill('SIGINT');
    expect((await sim).exitCode).toBe(130);
  });
});
