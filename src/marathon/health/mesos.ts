// COMMAND and MESOS_* health checks run on the agent: this turns a Marathon definition into the Mesos v1
// `HealthCheck` message Marathon puts in TaskInfo.health_check (as MesosHealthCheck.toMesos does).
import { effectivePort, type HealthCheckDefinition } from './definition.ts';

export interface MesosHealthCheckJSON {
  type: 'COMMAND' | 'HTTP' | 'TCP';
  delay_seconds: number;
  interval_seconds: number;
  timeout_seconds: number;
  consecutive_failures: number;
  grace_period_seconds: number;
  command?: { value: string; shell: true };
  http?: { scheme: 'http' | 'https'; port: number; path?: string; protocol: 'IPv4' | 'IPv6' };
  tcp?: { port: number; protocol: 'IPv4' | 'IPv6' };
}

/**
 * The Mesos health check for a COMMAND / MESOS_HTTP / MESOS_HTTPS / MESOS_TCP definition, with the port resolved
 * against the task's host ports; undefined for Marathon-side protocols and when the port does not resolve.
 */
export function toMesosHealthCheck(def: HealthCheckDefinition, hostPorts: readonly number[]): MesosHealthCheckJSON | undefined {
  const base = {
    delay_seconds: def.delaySeconds,
    interval_seconds: def.intervalSeconds,
    timeout_seconds: def.timeoutSeconds,
    consecutive_failures: def.maxConsecutiveFailures,
    grace_period_seconds: def.gracePeriodSeconds,
  };
  const protocol = def.ipProtocol ?? 'IPv4';
  switch (def.protocol) {
    case 'COMMAND':
      return { type: 'COMMAND', ...base, command: { value: def.command?.value ?? '', shell: true } };
    case 'MESOS_HTTP':
    case 'MESOS_HTTPS': {
      const port = effectivePort(def, hostPorts);
      if (port === undefined) return undefined;
      return { type: 'HTTP', ...base, http: { scheme: def.protocol === 'MESOS_HTTP' ? 'http' : 'https', port, ...(def.path !== undefined ? { path: def.path } : {}), protocol } };
    }
    case 'MESOS_TCP': {
      const port = effectivePort(def, hostPorts);
      if (port === undefined) return undefined;
      return { type: 'TCP', ...base, tcp: { port, protocol } };
    }
    default:
      return undefined;
  }
}
