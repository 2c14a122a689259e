import { randomBytes } from 'node:crypto';
import { z } from '../vendor/zod.js';
import { AGENT_PROTOCOL } from '../agent/protocol.js';
import { BotctlError } from '../errors.js';
import type { Vm } from '../fleet/types.js';
import type { Host } from './host.js';

export type AgentOptions = Record<string, string | number | boolean>;

/** Where the agent lives on a VM. */
export const agentPath = (root: string) => `${root}/botctl/agent.mjs`;

/** The argv of one agent call: pure, so it is tested by exact equality. */
export function agentArgv(vm: Pick<Vm, 'root' | 'node'>, verb: string, options: AgentOptions = {}): string[] {
  // --key=value, always: a value that starts with "-" (an offset of -1) is never read as a flag.
  const flags = Object.entries(options).flatMap(([k, v]) => (v === true ? [`--${k}`] : v === false ? [] : [`--${k}=${String(v)}`]));
  return [vm.node ?? 'node', agentPath(vm.root), verb, '--root', vm.root, ...flags];
}

const envelope = z.object({
  protocol: z.number(),
  ok: z.boolean(),
  result: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

const AGENT_TIMEOUT_MS = 60_000;

/**
 * Calls the agent on a VM, validating every answer. An agent that is missing or speaks another
 * protocol version is replaced (uploaded under a temporary name, then renamed) and the call
 * repeated once.
 */
export class AgentClient {
  private checked = false;

  constructor(private readonly host: Host, private readonly vm: Pick<Vm, 'name' | 'root' | 'node'>, private readonly bundle: () => Promise<string>) {}

  async call<T>(verb: string, schema: z.ZodType<T>, options: AgentOptions = {}, stdin?: string): Promise<T> {
    // The verb itself is the probe (one round trip on the hot path); only an agent that is
    // missing or speaks another protocol costs an install and a second try.
    let answer = this.checked ? await this.raw(verb, options, stdin) : await this.raw(verb, options, stdin).catch(() => null);
    if (!this.checked && (!answer || answer.protocol !== AGENT_PROTOCOL)) {
      await this.install();
      answer = await this.raw(verb, options, stdin);
    }
    this.checked = true;
    if (!answer!.ok) throw new BotctlError('E_REMOTE', `agent on ${this.vm.name}: ${verb} failed: ${answer!.error?.message ?? 'no reason given'} (${answer!.error?.code ?? '?'})`);
    const parsed = schema.safeParse(answer!.result);
    if (!parsed.success) throw new BotctlError('E_REMOTE', `agent on ${this.vm.name} answered ${verb} in an unexpected shape: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }

  private async install(): Promise<void> {
    const final = agentPath(this.vm.root);
    const tmp = `${final}.${randomBytes(4).toString('hex')}.tmp`;
    const mk = await this.host.run(['mkdir', '-p', `${this.vm.root}/botctl`]);
    if (mk.code !== 0) throw new BotctlError('E_REMOTE', `cannot create ${this.vm.root}/botctl on ${this.vm.name}: ${mk.stderr.trim()}`, { hint: 'botctl doctor checks the root' });
    await this.host.put(await this.bundle(), tmp);
    const mv = await this.host.run(['mv', '-f', tmp, final]);
    if (mv.code !== 0) throw new BotctlError('E_REMOTE', `cannot install the agent on ${this.vm.name}: ${mv.stderr.trim()}`);
    const hello = await this.raw('hello', {});
    if (!hello.ok || hello.protocol !== AGENT_PROTOCOL) throw new BotctlError('E_REMOTE', `the agent installed on ${this.vm.name} does not answer`);
  }

  private async raw(verb: string, options: AgentOptions, stdin?: string): Promise<z.infer<typeof envelope>> {
    const r = await this.host.run(agentArgv(this.vm, verb, options), { timeoutMs: AGENT_TIMEOUT_MS, ...(stdin !== undefined && { stdin }) });
    if (r.code === 127) {
      throw new BotctlError('E_REMOTE', `no node on ${this.vm.name} for a non-interactive shell`, { hint: 'set node: on the VM in fleet.yaml; `botctl doctor` shows what it finds' });
    }
    try {
      return envelope.parse(JSON.parse(r.stdout));
    } catch {
      throw new BotctlError('E_REMOTE', `agent on ${this.vm.name} did not answer ${verb} with JSON: ${(r.stderr || r.stdout).trim().split('\n')[0] ?? ''}`);
    }
  }
}

const statusSchema = z.object({
  time: z.string(),
  releases: z.array(z.string()),
  bots: z.array(z.object({
    bot: z.string(),
    state: z.enum(['running', 'starting', 'stale', 'crashed', 'restarting', 'stopped', 'duplicate', 'unmanaged', 'unknown']),
    /** Why the state is unknown (systemd did not answer), or why it is still starting. */
    detail: z.string().optional(),
    supervisor: z.enum(['process', 'systemd']),
    pid: z.number().nullable(),
    /** How often systemd restarted it (null under the process supervisor). */
    restarts: z.number().nullable(),
    startedAt: z.string().nullable(),
    otherPids: z.array(z.number()),
    current: z.string().nullable(),
    previous: z.string().nullable(),
    heartbeat: z.record(z.string(), z.unknown()).nullable(),
    heartbeatAgeMs: z.number().nullable(),
  })),
});

const lease = z.object({ owner: z.string(), host: z.string(), pid: z.number(), command: z.string(), since: z.string(), expires: z.string() });

/** The answers botctl relies on, validated on arrival. */
export const schemas = {
  status: statusSchema,
  plan: statusSchema.extend({ differ: z.array(z.string()) }),
  writeFiles: z.object({ changed: z.array(z.string()) }),
  releases: z.object({ releases: z.array(z.string()) }),
  preflight: z.object({
    node: z.string(),
    execPath: z.string(),
    systemd: z.object({ user: z.string(), linger: z.boolean(), manager: z.string() }),
    /** Bots whose unit name another root on the same VM user has. */
    taken: z.array(z.object({ bot: z.string(), root: z.string() })),
  }),
  start: z.object({ bot: z.string(), pid: z.number(), already: z.boolean() }),
  stop: z.object({ bot: z.string(), result: z.enum(['stopped', 'killed', 'gone', 'not-running']) }),
  switch: z.object({ bot: z.string(), from: z.string().nullable(), to: z.string() }),
  unpack: z.object({ release: z.string(), created: z.boolean() }),
  write: z.object({ path: z.string(), changed: z.boolean() }),
  removeBot: z.object({ bot: z.string() }),
  pruneReleases: z.object({ removed: z.array(z.string()) }),
  lockAcquire: z.union([
    z.object({ held: z.literal(true), lease: lease.extend({ token: z.string() }) }),
    z.object({ held: z.literal(false), by: lease.nullable() }),
  ]),
  lockRenew: z.object({ renewed: z.boolean() }),
  lockRelease: z.object({ released: lease.nullable() }),
  lockStatus: z.object({ lease: lease.nullable(), stale: z.boolean() }),
  ledgerAppend: z.object({ appended: z.boolean() }),
  ledgerRead: z.object({ entries: z.array(z.record(z.string(), z.unknown())) }),
  logs: z.object({ lines: z.array(z.string()), offset: z.number(), size: z.number(), rotated: z.boolean() }),
};
export type LeaseView = z.infer<typeof lease>;
export type AgentStatus = z.infer<typeof schemas.status>;
