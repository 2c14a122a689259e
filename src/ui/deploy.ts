import type { DeployResult } from '../ops/deploy.js';
import { print, printJson, table } from './output.js';

export function renderDeploy(r: DeployResult, json: boolean): void {
  if (json) return printJson(r);
  if (r.plan) {
    print('dry run: nothing was changed');
    print(table(['vm', 'bot', 'current', 'target', 'upload', 'step'], r.plan.map((p) => [p.vm, p.bot, p.from ?? '-', p.to, p.upload ? 'yes' : 'no', p.action])));
    return;
  }
  print(table(['bot', 'vm', 'from', 'to', 'uploaded', 'result'], r.bots.map((b) => [b.bot, b.vm, b.from ?? '-', b.to, b.uploaded ? 'yes' : 'no', b.action])));
  for (const o of r.orphans) print(o.removed ? `removed ${o.bot} from ${o.vm}: fleet.yaml no longer places it there` : `${o.bot} still runs on ${o.vm} but fleet.yaml no longer places it there (--prune removes it)`);
}
