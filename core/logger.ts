import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';
import { SECRET_KEYS } from './config.js';
import { redactText, redactValue } from './redact.js';

export type { Logger };

/**
 * JSON logs for machines, pretty logs for a person at a terminal. Secrets are removed by key, personal data
 * (phones, e-mails, card and ID numbers) by pattern, because customers paste them into chat messages.
 */
export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'LOG_FORMAT'>, name = 'kefu', destination?: DestinationStream): Logger {
  const pretty = !destination && (config.LOG_FORMAT === 'pretty' || (config.LOG_FORMAT === 'auto' && process.stdout.isTTY === true));
  const options: pino.LoggerOptions = {
    name,
    level: config.LOG_LEVEL,
    redact: {
      paths: [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`), 'req.headers.authorization', 'headers.authorization',
        'req.headers["x-slack-signature"]', 'password', '*.password', 'token', '*.token', 'apiKey', '*.apiKey'],
      censor: '[secret]',
    },
    formatters: { log: (object) => redactValue(object) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        const redacted = args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>;
        method.apply(this, redacted);
      },
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}
