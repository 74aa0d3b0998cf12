// The HTTP limit flags every role takes (same names on master, agent, Marathon and Chronos).
import { InvalidArgumentError, type Command } from 'commander';
import { envOption, durationArg, positiveInt } from '../cli/options.ts';
import { formatDuration } from '../common/duration.ts';
import { formatByteSize, parseByteSize } from './byte-size.ts';
import type { HttpLimits } from './http-limits.ts';

function byteSizeArg(value: string): number {
  let n: number;
  try { n = parseByteSize(value); } catch (err) { throw new InvalidArgumentError((err as Error).message); }
  if (n <= 0) throw new InvalidArgumentError(`'${value}' must be more than 0 bytes`);
  return n;
}

function positiveDurationArg(value: string): number {
  const ms = durationArg(value);
  if (ms <= 0) throw new InvalidArgumentError(`'${value}' must be longer than 0`);
  return ms;
}

export function addHttpLimitOptions(cmd: Command, role: string, defaults: HttpLimits): Command {
  return cmd
    .addOption(envOption(role, '--http-body-limit <size>', 'largest request body accepted (413 above), e.g. 16MB').default(defaults.bodyLimitBytes, formatByteSize(defaults.bodyLimitBytes)).argParser(byteSizeArg))
    .addOption(envOption(role, '--http-max-header-size <size>', 'largest request head (request line and headers) accepted (431 above)').default(defaults.maxHeaderBytes, formatByteSize(defaults.maxHeaderBytes)).argParser(byteSizeArg))
    .addOption(envOption(role, '--http-headers-timeout <duration>', 'time a client has to send a request\'s headers; slower connections are closed (408)').default(defaults.headersTimeoutMs, formatDuration(defaults.headersTimeoutMs)).argParser(positiveDurationArg))
    .addOption(envOption(role, '--http-request-timeout <duration>', 'time a client has to send a whole request, body included (responses and event streams are not limited)').default(defaults.requestTimeoutMs, formatDuration(defaults.requestTimeoutMs)).argParser(positiveDurationArg))
    .addOption(envOption(role, '--http-keep-alive-timeout <duration>', 'an idle keep-alive connection is closed after this').default(defaults.keepAliveTimeoutMs, formatDuration(defaults.keepAliveTimeoutMs)).argParser(positiveDurationArg))
    .addOption(envOption(role, '--max-event-streams-per-client <n>', 'open event streams one client address may hold (429 above)').default(defaults.maxStreamsPerClient).argParser(positiveInt))
    .addOption(envOption(role, '--event-stream-buffer <size>', 'bytes queued for an event-stream client that does not read before it is disconnected').default(defaults.streamBufferBytes, formatByteSize(defaults.streamBufferBytes)).argParser(byteSizeArg));
}

/** The limits from a command's parsed options (see addHttpLimitOptions). */
export function httpLimitsFromOptions(o: Record<string, unknown>): HttpLimits {
  return {
    bodyLimitBytes: o.httpBodyLimit as number, maxHeaderBytes: o.httpMaxHeaderSize as number,
    headersTimeoutMs: o.httpHeadersTimeout as number, requestTimeoutMs: o.httpRequestTimeout as number,
    keepAliveTimeoutMs: o.httpKeepAliveTimeout as number, maxStreamsPerClient: o.maxEventStreamsPerClient as number,
    streamBufferBytes: o.eventStreamBuffer as number,
  };
}
