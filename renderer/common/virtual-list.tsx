/**
 * A small windowing list: only the rows in (or near) the viewport are in the DOM.
 *
 * Rows have one fixed height, which keeps the arithmetic exact and scrolling cheap with thousands
 * of accounts (the benchmark issue measures it).
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';

/** Props of {@link VirtualList}. */
export interface VirtualListProps<T> {
  readonly items: readonly T[];
  readonly rowHeight: number;
  readonly renderRow: (item: T, index: number) => ReactNode;
  readonly rowKey: (item: T, index: number) => string;
  /** Rows rendered above and below the viewport. */
  readonly overscan?: number;
  /** Used until the element has been measured (and in environments without layout, like jsdom). */
  readonly fallbackHeight?: number;
  readonly className?: string;
  readonly ariaLabel: string;
}

/** Which rows to render for a scroll position. */
export function visibleRange(count: number, rowHeight: number, scrollTop: number, viewportHeight: number, overscan: number): { start: number; end: number } {
  const first = Math.floor(scrollTop / rowHeight);
  const visible = Math.ceil(viewportHeight / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end };
}

/** A vertically scrolling list that renders only a window of its rows. */
export function VirtualList<T>({ items, rowHeight, renderRow, rowKey, overscan = 6, fallbackHeight = 720, className, ariaLabel }: VirtualListProps<T>): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(fallbackHeight);

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = (): void => {
      if (element.clientHeight > 0) setHeight(element.clientHeight);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const { start, end } = visibleRange(items.length, rowHeight, scrollTop, height, overscan);
  const rows: ReactNode[] = [];
  for (let index = start; index < end; index++) {
    const item = items[index] as T;
    rows.push(
      <div key={rowKey(item, index)} className="virtual-row" style={{ top: index * rowHeight, height: rowHeight }}>
        {renderRow(item, index)}
      </div>,
    );
  }

  return (
    <div
      ref={ref}
      className={`virtual-list ${className ?? ''}`}
      role="region"
      aria-label={ariaLabel}
      // Focusable so keyboard users can scroll it (axe: scrollable-region-focusable).
      tabIndex={0}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
    >
      <div className="virtual-spacer" style={{ height: items.length * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
