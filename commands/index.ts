import type { Command } from 'commander';
import buildCommand from './build.js';
import configCommand from './config.js';
import { startCommand, stopCommand } from './control.js';
import deployCommand from './deploy.js';
import { downCommand, sayCommand, upCommand } from './demo.js';
import doctorCommand from './doctor.js';
import initCommand from './init.js';
import { historyCommand, lockCommand, logsCommand } from './inspect.js';
import simCommand from './sim.js';
import statusCommand from './status.js';

// Command modules hold flags and help only; each imports its work inside its action, so
// `botctl --help` loads commander and these files, nothing else.
export const COMMANDS: (() => Command)[] = [upCommand, downCommand, sayCommand, statusCommand, deployCommand, startCommand, stopCommand, logsCommand, historyCommand, lockCommand, doctorCommand, configCommand, initCommand, buildCommand, simCommand];
