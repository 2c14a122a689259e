import { shScript } from '../remote/quote.js';

// One round trip gathers every fact doctor needs. The script is constant; the VM's root and node
// path arrive as $1 and $2, so nothing from fleet.yaml is ever parsed by the remote shell.
const PROBE = `root=$1; node_bin=$2
[ -n "$node_bin" ] || node_bin=$(command -v node 2>/dev/null)
echo "node_path=$node_bin"
if [ -n "$node_bin" ] && [ -x "$node_bin" ]; then echo "node_version=$("$node_bin" --version 2>/dev/null)"; fi
d=$root; while [ ! -e "$d" ]; do d=$(dirname -- "$d"); done
[ -d "$root" ] && echo root_exists=yes || echo root_exists=no
echo "root_nearest=$d"
[ -d "$d" ] && [ -w "$d" ] && echo root_writable=yes || echo root_writable=no
echo "disk_free_kb=$(df -Pk -- "$d" 2>/dev/null | awk 'NR==2 {print $4}')"
echo "nofile=$(ulimit -n)"
u=$(id -un); echo "user=$u"
[ -e "/var/lib/systemd/linger/$u" ] && echo linger=yes || echo linger=no
if command -v systemctl >/dev/null 2>&1; then
  echo systemd=yes
  echo "user_manager=$(XDG_RUNTIME_DIR=\${XDG_RUNTIME_DIR:-/run/user/$(id -u)} timeout 5 systemctl --user is-system-running 2>/dev/null)"
else echo systemd=no; fi
if [ -f "$root/botctl/agent.mjs" ] && [ -n "$node_bin" ]; then
  echo "agent=$("$node_bin" "$root/botctl/agent.mjs" hello --root "$root" 2>/dev/null | head -n 1)"
fi
echo "time=$(date +%s.%N)"`;

/** The doctor probe as argv: `sh -c <script> sh <root> <node>`. */
export function probeCommand(root: string, node = ''): string[] {
  return shScript(PROBE, [root, node]);
}

export interface ProbeFacts {
  nodePath?: string;
  nodeVersion?: string;
  rootExists: boolean;
  rootNearest?: string;
  rootWritable: boolean;
  diskFreeKb?: number;
  /** null when unlimited. */
  nofile?: number | null;
  systemd: boolean;
  user?: string;
  linger: boolean;
  /** What `systemctl --user is-system-running` says: running, degraded, offline, or nothing. */
  userManager?: string;
  /** The installed agent's protocol; absent when none is installed yet. */
  agentProtocol?: number;
  /** Remote wall clock, ms since the epoch. */
  timeMs?: number;
}

export function parseProbe(stdout: string): ProbeFacts {
  const kv = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i), line.slice(i + 1));
  }
  const num = (k: string) => {
    const v = kv.get(k);
    return v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
  };
  const nofile = kv.get('nofile');
  // Where date lacks %N it prints the letter N: the seconds part still holds.
  const time = Number.parseFloat(kv.get('time') ?? '');
  return {
    ...(kv.get('node_path') && { nodePath: kv.get('node_path') }),
    ...(kv.get('node_version') && { nodeVersion: kv.get('node_version') }),
    rootExists: kv.get('root_exists') === 'yes',
    ...(kv.get('root_nearest') && { rootNearest: kv.get('root_nearest') }),
    rootWritable: kv.get('root_writable') === 'yes',
    ...(num('disk_free_kb') !== undefined && { diskFreeKb: num('disk_free_kb') }),
    ...(nofile !== undefined && { nofile: nofile === 'unlimited' ? null : num('nofile') }),
    systemd: kv.get('systemd') === 'yes',
    ...(kv.get('user') && { user: kv.get('user') }),
    linger: kv.get('linger') === 'yes',
    ...(kv.get('user_manager') && { userManager: kv.get('user_manager') }),
    ...(agentProtocol(kv.get('agent')) !== undefined && { agentProtocol: agentProtocol(kv.get('agent')) }),
    ...(Number.isFinite(time) && { timeMs: Math.round(time * 1000) }),
  };
}

// The agent's hello answer is one JSON line; anything else means no working agent.
function agentProtocol(line: string | undefined): number | undefined {
  try {
    const p = (JSON.parse(line ?? '') as { protocol?: unknown }).protocol;
    return typeof p === 'number' ? p : undefined;
  } catch {
    return undefined;
  }
}
