/** The token a bot uses against the simulator: the simulator knows every bot by it. */
export function demoToken(bot: string): string {
  return `sim-${bot}`;
}
