import { describe, expect, it } from 'vitest';
import type { Bot } from '../../src/fleet/types.js';
import type { AgentStatus } from '../../src/remote/agent.js';
import { steps, type BotPlan, type VmPlanAnswer } from '../../src/ops/rollout.js';

const plan = (name: string, release = 'bbbbbbbbbbbb'): BotPlan => ({ bot: { name } as Bot, release: { bot: name, release, module: 'bots/echo.mjs', dependencies: {}, built: false }, token: 't' });
type State = AgentStatus['bots'][number];
const bot = (name: string, current: string | null, state: State['state'], pid: number | null): State => ({
  bot: name, state, supervisor: 'process', pid, restarts: null, startedAt: null, otherPids: [], current, previous: null, heartbeat: null, heartbeatAgeMs: null,
});
const answer = (bots: State[], differ: string[] = []): VmPlanAnswer => ({ time: '', releases: [], bots, differ });

describe('what deploy does to each bot, decided from one agent answer', () => {
  it.each([
    ['nothing differs and it runs', [bot('a', 'bbbbbbbbbbbb', 'running', 10)], [], 'unchanged', true],
    ['it was never deployed', [], [], 'install and start', false],
    ['its release changes while it runs', [bot('a', 'aaaaaaaaaaaa', 'running', 10)], [], 'switch aaaaaaaaaaaa -> bbbbbbbbbbbb and restart', false],
    ['its release changes while it is stopped', [bot('a', 'aaaaaaaaaaaa', 'stopped', null)], [], 'switch aaaaaaaaaaaa -> bbbbbbbbbbbb and start', false],
    ['its config and token changed', [bot('a', 'bbbbbbbbbbbb', 'running', 10)], ['bots/a/runtime.json', 'bots/a/env'], 'restart: runtime.json, token changed', false],
    ['it crashed', [bot('a', 'bbbbbbbbbbbb', 'crashed', null)], [], 'start (it is crashed)', false],
    ['another bot\'s file changed', [bot('a', 'bbbbbbbbbbbb', 'running', 10)], ['bots/ab/runtime.json'], 'unchanged', true],
  ] as const)('%s', (_what, bots, differ, describe, unchanged) => {
    const [step] = steps(answer([...bots], [...differ]), [plan('a')]);
    expect(step).toMatchObject({ describe, unchanged });
  });
});
