/**
 * The little logging the knowledge side does. A pino Logger satisfies it (the platform passes its own); the CLI
 * passes `stderrLogger` so stdout carries only a command's output.
 */
export interface KnowledgeLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export function stderrLogger(out: { write(text: string): unknown } = process.stderr): KnowledgeLogger {
  return {
    warn: (_obj, msg) => void out.write(`kefu: warning: ${msg}\n`),
    info: () => undefined,
  };
}
