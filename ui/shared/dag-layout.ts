// Layered layout of a directed acyclic graph (dagre): node positions and edge routes for an SVG picture. Pure.
import dagre from '@dagrejs/dagre';

export interface DagNode { id: string; label: string; className?: string; href?: string; title?: string }
export interface DagEdge { from: string; to: string }

const CHAR_W = 7.4;
export const NODE_H = 34;
const PAD = 16;

interface Laid { nodes: Array<DagNode & { x: number; y: number; w: number }>; edges: Array<DagEdge & { points: Array<{ x: number; y: number }> }>; width: number; height: number }

export function layoutDag(nodes: readonly DagNode[], edges: readonly DagEdge[], direction: 'LR' | 'TB' = 'LR'): Laid {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: direction, nodesep: 18, ranksep: 56, marginx: PAD, marginy: PAD });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: Math.max(60, n.label.length * CHAR_W + 24), height: NODE_H });
  for (const e of edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const graph = g.graph();
  return {
    nodes: nodes.map((n) => { const p = g.node(n.id); return { ...n, x: p.x, y: p.y, w: p.width }; }),
    edges: g.edges().map((e: { v: string; w: string }) => ({ from: e.v, to: e.w, points: (g.edge(e) as { points?: Array<{ x: number; y: number }> }).points ?? [] })),
    width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0),
  };
}
