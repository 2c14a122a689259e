import os from 'node:os';
import { schemas, type AgentClient } from '../remote/agent.js';

/** One step of a mutating command. Built from names and ids only: a secret has no field here. */
export interface LedgerEntry {
  command: string;
  vm: string;
  bot?: string;
  action: string;
  from?: string | null;
  to?: string | null;
  dependencies?: Record<string, string>;
  result: 'ok' | 'failed';
  error?: string;
}

/** Appends a step to the VM's ledger, stamped with who and when. */
export async function record(agent: AgentClient, entry: LedgerEntry): Promise<void> {
  const line = { time: new Date().toISOString(), who: `${os.userInfo().username}@${os.hostname()}`, ...entry };
  await agent.call('ledger-append', schemas.ledgerAppend, {}, JSON.stringify(line));
}
