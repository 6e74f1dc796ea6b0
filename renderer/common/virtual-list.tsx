/**
 * A small windowing list: only the rows in (or near) the viewport are in the DOM.
 *
 * Each row's height is known up front (a number, or one per item, e.g. shorter group headers), so
 * the offsets are exact prefix sums and finding the visible window is a binary search: scrolling
 * stays cheap with thousands of accounts (`npm run bench` measures it).
 */
import { memo, useDeferredValue, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';

/** Props of {@link VirtualList}. */
export interface VirtualListProps<T> {
  readonly items: readonly T[];
  /** One height for every row, or a height per item (px). */
  readonly rowHeight: number | ((item: T) => number);
  readonly renderRow: (item: T, index: number) => ReactNode;
  readonly rowKey: (item: T, index: number) => string;
  /**
   * Rows rendered above and below the viewport. When `items` changes (a filter keystroke), the
   * first render has one row beyond each edge and the rest follows in a deferred render.
   */
  readonly overscan?: number;
  /** Used until the element has been measured (and in environments without layout, like jsdom). */
  readonly fallbackHeight?: number;
  readonly className?: string;
  readonly ariaLabel: string;
}

/** Offsets of every row plus the total height at the end (`offsets[count]`). */
export function rowOffsets<T>(items: readonly T[], rowHeight: number | ((item: T) => number)): Float64Array {
  const offsets = new Float64Array(items.length + 1);
  for (let index = 0; index < items.length; index++) {
    offsets[index + 1] = (offsets[index] ?? 0) + (typeof rowHeight === 'number' ? rowHeight : rowHeight(items[index] as T));
  }
  return offsets;
}

// The index of the row that contains `y` (the last offset at or below it).
function rowAt(offsets: Float64Array, count: number, y: number): number {
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((offsets[middle] ?? 0) <= y) low = middle;
    else high = middle - 1;
  }
  return Math.max(0, low);
}

/** Which rows to render for a scroll position. */
export function visibleRange(offsets: Float64Array, count: number, scrollTop: number, viewportHeight: number, overscan: number): { start: number; end: number } {
  if (count === 0) return { start: 0, end: 0 };
  const first = rowAt(offsets, count, scrollTop);
  const last = rowAt(offsets, count, scrollTop + viewportHeight);
  return { start: Math.max(0, first - overscan), end: Math.min(count, last + 1 + overscan) };
}

function VirtualListImpl<T>({ items, rowHeight, renderRow, rowKey, overscan = 6, fallbackHeight = 720, className, ariaLabel }: VirtualListProps<T>): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(fallbackHeight);
  const offsets = useMemo(() => rowOffsets(items, rowHeight), [items, rowHeight]);

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

  // New items (a filter keystroke) render what is in view first: the off-screen overscan rows
  // are a third of the rows and of the keystroke's cost (`npm run bench:ui`), so they follow in a
  // render React does at lower priority, right after. One row beyond each edge stays in the
  // first render, so arrow keys always find the neighbouring row (account-row.tsx).
  const settled = useDeferredValue(items) === items;
  const { start, end } = visibleRange(offsets, items.length, scrollTop, height, settled ? overscan : Math.min(overscan, 1));
  const rows: ReactNode[] = [];
  for (let index = start; index < end; index++) {
    const item = items[index] as T;
    const top = offsets[index] ?? 0;
    rows.push(
      <div key={rowKey(item, index)} className="virtual-row" style={{ top, height: (offsets[index + 1] ?? top) - top }}>
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
      <div className="virtual-spacer" style={{ height: offsets[items.length] ?? 0 }}>
        {rows}
      </div>
    </div>
  );
}

/**
 * A vertically scrolling list that renders only a window of its rows.
 *
 * Memoized: with the same `items` and callbacks it skips rendering, so the caller should keep
 * them stable (`useCallback`, or functions defined outside the component).
 */
export const VirtualList = memo(VirtualListImpl) as typeof VirtualListImpl;
