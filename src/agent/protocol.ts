/** Bumped whenever a verb's arguments or answer change; botctl replaces an agent that differs. */
export const AGENT_PROTOCOL = 7;
