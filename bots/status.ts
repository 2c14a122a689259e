import { defineBot } from '../src/runtime/index.js';

function uptime(since: Date, now = new Date()): string {
  const s = Math.floor((now.getTime() - since.getTime()) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${m}m` : `${m}m${s % 60}s`;
}

// Answers "what is running?" from inside the bot: the question the incidents asked over ssh.
export default defineBot({
  commands: {
    status: (_args, _message, ctx) => {
      const { name, release, dependencies, startedAt } = ctx.info;
      const deps = Object.entries(dependencies).map(([pkg, v]) => `${pkg}@${v}`).join(' ');
      return ctx.reply(`${name} release ${release} (${deps}) up ${uptime(startedAt)}`);
    },
  },
  onMessage: (_message, ctx) => ctx.reply('send /status to see what I run'),
});
