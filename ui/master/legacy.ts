// The master's legacy state endpoints give resources as {cpus: 1, mem: 32, ports: "[31000-31005]"}.
import { parseResources, Resources } from '../../src/common/resources.ts';

export function fromLegacy(legacy: Record<string, number | string> | undefined): Resources {
  if (!legacy) return Resources.empty();
  const text = Object.entries(legacy).filter(([, v]) => v !== 0 && v !== '').map(([k, v]) => `${k}:${v}`).join(';');
  try { return text ? parseResources(text) : Resources.empty(); } catch { return Resources.empty(); }
}
