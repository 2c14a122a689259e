import { InvalidArgumentError } from 'commander';
import type { GlobalOptions } from '../src/context.js';

/** Formats the "Examples:" block every command's --help ends with. */
export function examples(lines: [string, string][]): string {
  const width = Math.max(...lines.map(([cmd]) => cmd.length));
  return `\nExamples:\n${lines.map(([cmd, what]) => `  ${cmd.padEnd(width)}   ${what}`).join('\n')}\n`;
}

export type { GlobalOptions };

/** Parses a count flag (-n): a positive whole number, else a usage error (exit 2). */
export function positiveInt(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new InvalidArgumentError(`expected a whole number of at least 1, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/**
 * The prologue of every command that talks to VMs: global options, the fleet, and one
 * FleetOps (a connection and an agent per VM) closed when `work` ends. Imported lazily, so
 * `botctl --help` never loads any of it.
 */
export async function withOps<T>(
  cmd: import('commander').Command,
  work: (fleet: import('../src/fleet/types.js').Fleet, ops: import('../src/ops/fleetOps.js').FleetOps) => Promise<T>,
): Promise<T> {
  const global = cmd.optsWithGlobals<GlobalOptions>();
  const { withFleet } = await import('../src/context.js');
  const { FleetOps } = await import('../src/ops/fleetOps.js');
  return withFleet(global, (fleet, pool) => work(fleet, new FleetOps(fleet, pool)));
}
