// The breadcrumb of a group or app: Applications / web / backend, each group a link to its folder view; the
// page's own segment is the current one.
import { Link } from 'react-router';
import { ancestors, groupName } from '../lib/groups.ts';
import { groupHref } from '../routes.ts';

export function GroupCrumbs({ id }: { id: string }) {
  const above = ancestors(id);
  return (
    <nav aria-label="Breadcrumb" className="crumbs">
      <ol>
        {above.map((g) => <li key={g}><Link to={groupHref(g)}>{g === '/' ? 'Applications' : groupName(g)}</Link></li>)}
        <li aria-current="page" className="mono">{id === '/' ? 'Applications' : groupName(id)}</li>
      </ol>
    </nav>
  );
}
