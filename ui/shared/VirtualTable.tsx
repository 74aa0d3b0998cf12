// A table that renders only the rows in view, so lists of tens of thousands stay fast. Rows are a CSS grid so
// header and body columns line up; each rendered row is measured, so rows that wrap (phone width) keep their height.
import { useRef, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';

export interface Column<T> {
  key: string;
  header: ReactNode;
  /** CSS grid track, e.g. "2fr" or "120px". */
  width?: string;
  render(row: T): ReactNode;
}

export function VirtualTable<T>({ rows, columns, rowKey, rowHeight = 40, maxHeight = 640, empty = 'Nothing here yet.', label }: {
  rows: readonly T[]; columns: Column<T>[]; rowKey(row: T): string; rowHeight?: number; maxHeight?: number; empty?: ReactNode; label: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => rowHeight, overscan: 10 });
  const template = columns.map((c) => c.width ?? '1fr').join(' ');
  return (
    <div className="vtable" role="table" aria-label={label} aria-rowcount={rows.length + 1}>
      <div className="vtable-row vtable-head" role="row" style={{ gridTemplateColumns: template }}>
        {columns.map((c) => <div key={c.key} role="columnheader">{c.header}</div>)}
      </div>
      {rows.length === 0 ? <p className="muted vtable-empty">{empty}</p> : (
        <div ref={scroller} className="vtable-body" style={{ maxHeight }}>
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = rows[item.index]!;
              return (
                <div key={rowKey(row)} ref={virtualizer.measureElement} data-index={item.index} role="row" aria-rowindex={item.index + 2} className="vtable-row"
                  style={{ gridTemplateColumns: template, position: 'absolute', top: 0, left: 0, right: 0, minHeight: rowHeight, transform: `translateY(${item.start}px)` }}>
                  {columns.map((c) => <div key={c.key} role="cell" data-label={typeof c.header === 'string' ? c.header : undefined}>{c.render(row)}</div>)}
                </div>
              );
            })}
          </div>
        </div>
      )}
    </div>
  );
}
