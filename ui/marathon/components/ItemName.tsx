// An app's or group's id in the list: the parent path dimmed, the name stressed, so a folder view reads by name
// while the link (and its accessible name) stays the full id. Groups get a folder icon.
import { Link } from 'react-router';
import { parentGroup } from '../lib/groups.ts';

export function ItemName({ id, to, folder }: { id: string; to: string; folder?: boolean }) {
  const parent = parentGroup(id);
  const prefix = parent === '/' ? '/' : `${parent}/`;
  return (
    <Link to={to} className="mono item-name">
      {folder && <FolderIcon />}
      <span className="item-parent">{prefix}</span><span className="item-leaf">{id.slice(prefix.length)}</span>
    </Link>
  );
}

export function FolderIcon() {
  return (
    <svg className="folder-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      <path d="M1.5 3.5a1 1 0 0 1 1-1h3.6l1.4 1.6h6a1 1 0 0 1 1 1v7.4a1 1 0 0 1-1 1h-11a1 1 0 0 1-1-1z" fill="currentColor" />
    </svg>
  );
}
