import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; pretty when a person watches a terminal (or TRIREME_LOG_PRETTY=1). */
export function createLogger(name: string, level = process.env.TRIREME_LOG_LEVEL ?? 'info'): Logger {
  const pretty = process.env.TRIREME_LOG_PRETTY === '1' || (process.env.TRIREME_LOG_PRETTY !== '0' && process.stdout.isTTY);
  if (pretty) {
    return pino({ name, level, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  return pino({ name, level });
}
