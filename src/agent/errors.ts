/** An agent failure with a code botctl shows beside the message (E_ARGS, E_RUNNING, ...). */
export class AgentError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
