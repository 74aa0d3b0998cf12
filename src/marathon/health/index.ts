/**
 * Marathon health checks.
 *
 * Contract:
 * - definition.ts: `HealthCheckDefinition` (Marathon's fields and defaults), `validateHealthChecks(raw, path, ctx)`
 *   → Marathon-style details, `normalizeHealthCheck(raw)` fills defaults, `effectivePort(def, hostPorts)`.
 * - state.ts: the pure state machine `applyProbeResult(health, result, now, policy)` (grace period, consecutive
 *   failures, kill decision) and `healthToJSON` (Marathon's `healthCheckResults` entry).
 * - monitor.ts: `HealthMonitor` runs HTTP/HTTPS/TCP probes on their interval for tracked tasks (clock and probe
 *   injectable) and folds Mesos-side results (`reportMesosHealth`) through the same state machine.
 * - mesos.ts: `toMesosHealthCheck(def, hostPorts)` → TaskInfo.health_check for COMMAND / MESOS_* checks, which the
 *   agent runs (src/agent/health-checker.ts).
 */
export * from './definition.ts';
export * from './state.ts';
export * from './probes.ts';
export * from './monitor.ts';
export * from './mesos.ts';
