// Chronos' job `container` JSON → the Mesos ContainerInfo of the job's tasks. Pure.
//   {"type": "DOCKER", "image": "...", "network": "BRIDGE"|"HOST"|"USER", "networkName": "...", "forcePullImage": true,
//    "volumes": [{"containerPath": "/data", "hostPath": "/srv/data", "mode": "RW"}], "parameters": [{"key", "value"}]}
import type { ContainerInfo, DockerInfo } from '../proto/mesos.ts';

type Network = NonNullable<DockerInfo['network']>;
/** The Docker network modes a job's container may name (the console's form offers these); HOST when absent. */
export const CONTAINER_NETWORKS: readonly Network[] = ['HOST', 'BRIDGE', 'USER', 'NONE'];
const isNetwork = (v: string | undefined): v is Network => CONTAINER_NETWORKS.includes(v as Network);

/** The ContainerInfo for a job's container (undefined when the job has none or names no image). */
export function chronosContainerInfo(container: Record<string, unknown> | null | undefined): ContainerInfo | undefined {
  if (!container || typeof container.image !== 'string' || container.image === '') return undefined;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : []);
  // Chronos runs Docker jobs with host networking unless the job says otherwise.
  const network = str(container.network)?.toUpperCase();
  const mode: Network = isNetwork(network) ? network : 'HOST';
  const volumes = list(container.volumes)
    .filter((v) => str(v.containerPath))
    .map((v) => ({ container_path: str(v.containerPath)!, ...(str(v.hostPath) ? { host_path: str(v.hostPath)! } : {}), mode: str(v.mode)?.toUpperCase() === 'RO' ? 'RO' as const : 'RW' as const }));
  const parameters = list(container.parameters)
    .filter((p) => str(p.key))
    .map((p) => ({ key: str(p.key)!, value: typeof p.value === 'string' ? p.value : String(p.value ?? '') }));
  const networkName = str(container.networkName);
  return {
    type: str(container.type)?.toUpperCase() === 'MESOS' ? 'MESOS' : 'DOCKER',
    docker: { image: container.image, network: mode, force_pull_image: container.forcePullImage === true, ...(parameters.length ? { parameters } : {}) },
    ...(volumes.length ? { volumes } : {}),
    ...(mode === 'USER' && networkName ? { network_infos: [{ name: networkName }] } : {}),
  };
}
