// host:port of an agent from its pid (`slave(1)@10.0.0.5:5051`).
export function agentAddress(pid: string | undefined): string | undefined {
  const at = pid?.lastIndexOf('@') ?? -1;
  return pid && at >= 0 && pid.length > at + 1 ? pid.slice(at + 1) : undefined;
}
