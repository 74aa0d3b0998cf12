// A directed acyclic graph drawn as SVG: layered layout by dagre (@dagrejs/dagre), nodes as links (keyboard
// reachable, named for screen readers), edges as arrows. Generic: callers give nodes with a label, a CSS class
// for colour and a link target.
import { useMemo } from 'react';
import { layoutDag, NODE_H, type DagEdge, type DagNode } from './dag-layout.ts';

export type { DagEdge, DagNode } from './dag-layout.ts';

export function DagGraph({ nodes, edges, label, direction = 'LR', highlight }: { nodes: readonly DagNode[]; edges: readonly DagEdge[]; label: string; direction?: 'LR' | 'TB'; highlight?: string }) {
  const laid = useMemo(() => layoutDag(nodes, edges, direction), [nodes, edges, direction]);
  return (
    <div className="dag-scroll">
      <svg className="dag" role="img" aria-label={label} width={laid.width} height={laid.height} viewBox={`0 0 ${laid.width} ${laid.height}`}>
        <defs>
          <marker id="dag-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" className="dag-arrowhead" />
          </marker>
        </defs>
        <g className="dag-edges">
          {laid.edges.map((e) => (
            <path key={`${e.from}->${e.to}`} data-edge={`${e.from}->${e.to}`} className="dag-edge" markerEnd="url(#dag-arrow)"
              d={e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')} />
          ))}
        </g>
        <g className="dag-nodes">
          {laid.nodes.map((n) => {
            const body = (
              <>
                <rect x={n.x - n.w / 2} y={n.y - NODE_H / 2} width={n.w} height={NODE_H} rx={6} />
                <text x={n.x} y={n.y} dominantBaseline="central" textAnchor="middle">{n.label}</text>
                {n.title && <title>{n.title}</title>}
              </>
            );
            const cls = `dag-node ${n.className ?? ''}${highlight === n.id ? ' highlight' : ''}`;
            return n.href
              ? <a key={n.id} href={n.href} className={cls} data-node={n.id} aria-label={n.title ?? n.label}>{body}</a>
              : <g key={n.id} className={cls} data-node={n.id}>{body}</g>;
          })}
        </g>
      </svg>
    </div>
  );
}
