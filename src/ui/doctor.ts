import type { VmReport } from '../doctor/doctor.js';
import type { Status } from '../doctor/checks.js';
import { BotctlError } from '../errors.js';
import { chalk, print, printJson, table } from './output.js';

const LABEL: Record<Status, () => string> = {
  ok: () => chalk.green('ok'),
  warn: () => chalk.yellow('warn'),
  fail: () => chalk.red('FAIL'),
  skip: () => chalk.dim('-'),
};

/** Prints the doctor's table (or JSON); a failed check makes the exit status 1. */
export function renderDoctor(reports: VmReport[], json: boolean): void {
  if (json) printJson({ ok: reports.every((r) => r.ok), vms: reports });
  else {
    const rows = reports.flatMap((r) => r.checks.map((c, i) => [i === 0 ? r.vm : '', c.check, LABEL[c.status](), c.detail]));
    print(table(['vm', 'check', 'result', 'detail'], rows));
  }
  const failed = reports.flatMap((r) => r.checks.filter((c) => c.status === 'fail').map((c) => `${r.vm}: ${c.check}`));
  if (failed.length) {
    throw new BotctlError('E_CHECK', `${failed.length} check${failed.length === 1 ? '' : 's'} failed (${failed.join(', ')})`, {
      hint: 'the detail column says what to do',
    });
  }
}
