// Links between the console's pages; ids are URL-encoded (task ids may contain any character).
import { Link } from 'react-router';
import type { ClusterModel } from '../model.ts';

const e = encodeURIComponent;
export const agentHref = (id: string): string => `/agents/${e(id)}`;
export const frameworkHref = (id: string): string => `/frameworks/${e(id)}`;
export const taskHref = (frameworkId: string, taskId: string): string => `/frameworks/${e(frameworkId)}/tasks/${e(taskId)}`;

export function AgentLink({ model, id }: { model: ClusterModel; id: string }) {
  const agent = model.agents.get(id);
  return <Link to={agentHref(id)} title={id}>{agent?.hostname ?? id}</Link>;
}

export function FrameworkLink({ model, id }: { model: ClusterModel; id: string }) {
  const fw = model.frameworks.get(id);
  return <Link to={frameworkHref(id)} title={id}>{fw?.name || id}</Link>;
}
