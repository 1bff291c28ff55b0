/**
 * The records table, virtualised by hand (docs/dashboard.md, "Records"): rows have one fixed
 * height, and only the rows in view (plus a few either side) exist in the DOM, so 10,000
 * loaded records scroll like 30. Asks for the next page when the view nears the last row.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { CollectionField, RecordModel } from 'pocketbase';
import { RecordCell } from './record-cell.js';

/** The height of one row, in pixels (styles.css's .records-row matches it). */
export const ROW_HEIGHT = 40;
/** Rows rendered beyond each edge of the view. */
const OVERSCAN = 8;
/** Ask for the next page when this few loaded rows are left below the view. */
const PREFETCH_ROWS = 100;
/** More than the rows ever rendered at once, so two rendered rows never share a key. */
const SLOTS = 256;

export interface RecordsTableProps {
  columns: CollectionField[];
  items: RecordModel[];
  done: boolean;
  loading: boolean;
  onNeedMore: () => void;
  sort: string;
  onSort: (sort: string) => void;
  selected: ReadonlySet<string>;
  onSelect: (ids: readonly string[], on: boolean) => void;
  onOpen: (record: RecordModel) => void;
  /** Presentable fields of the related collection, by relation field name. */
  presentable: Record<string, readonly string[]>;
}

export function RecordsTable(props: RecordsTableProps) {
  const { columns, items, done, loading, onNeedMore, selected } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    let frame = 0;
    const measure = (): void => {
      frame = 0;
      setView({ top: el.scrollTop, height: el.clientHeight });
    };
    // One state update per animation frame, however many scroll events arrive.
    const onScroll = (): void => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    const observer = new ResizeObserver(onScroll);
    observer.observe(el);
    el.addEventListener('scroll', onScroll, { passive: true });
    measure();
    return () => {
      el.removeEventListener('scroll', onScroll);
      observer.disconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }, []);

  const first = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN);

  useEffect(() => {
    if (!done && !loading && items.length > 0 && last + PREFETCH_ROWS >= items.length) onNeedMore();
  }, [last, items.length, done, loading]);

  const template = `2.5rem repeat(${columns.length}, minmax(9rem, 1fr))`;
  const minWidth = `${2.5 + columns.length * 9}rem`;
  const allSelected = items.length > 0 && items.every((r) => selected.has(r.id));
  const rows = [];
  // Keyed by slot, not by record: a scroll reuses the rows' DOM nodes and only changes their text.
  for (let i = first; i < last; i++) rows.push(<Row key={i % SLOTS} index={i} record={items[i]!} template={template} {...props} />);

  return (
    <div class="records-scroller" ref={scroller} tabIndex={-1}>
      <div class="records-table" role="table" aria-label="Records" aria-rowcount={items.length + 1} style={{ minWidth }}>
        <div class="records-head" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
          <span role="columnheader" class="records-check">
            <input type="checkbox" aria-label="Select all loaded records" checked={allSelected} onChange={(e) => props.onSelect(items.map((r) => r.id), e.currentTarget.checked)} />
          </span>
          {columns.map((field) => <SortHeader key={field.name} field={field} sort={props.sort} onSort={props.onSort} />)}
        </div>
        <div class="records-body" role="rowgroup" style={{ height: `${items.length * ROW_HEIGHT}px` }}>{rows}</div>
      </div>
    </div>
  );
}

function SortHeader({ field, sort, onSort }: { field: CollectionField; sort: string; onSort: (sort: string) => void }) {
  const direction = sort === field.name ? 'ascending' : sort === `-${field.name}` ? 'descending' : undefined;
  // Fields PocketBase cannot sort on are not offered (multi-valued JSON-ish types sort meaninglessly).
  const sortable = !['json', 'file', 'password', 'geoPoint'].includes(field.type);
  return (
    <span role="columnheader" aria-sort={direction ?? 'none'} class="records-header">
      {sortable
        ? <button type="button" class="records-sort" onClick={() => onSort(direction === 'ascending' ? `-${field.name}` : field.name)}>
            {field.name}<span aria-hidden="true">{direction === 'ascending' ? ' ↑' : direction === 'descending' ? ' ↓' : ''}</span>
          </button>
        : <span>{field.name}</span>}
    </span>
  );
}

interface RowProps extends RecordsTableProps {
  index: number;
  record: RecordModel;
  template: string;
}

function Row({ index, record, template, columns, selected, onSelect, onOpen, presentable }: RowProps) {
  const checked = selected.has(record.id);
  return (
    <div
      class={`records-row${checked ? ' records-row-selected' : ''}`} role="row" aria-rowindex={index + 2} tabIndex={0}
      style={{ gridTemplateColumns: template, transform: `translateY(${index * ROW_HEIGHT}px)` }}
      onClick={(e) => !(e.target as HTMLElement).closest('.records-check') && onOpen(record)}
      onKeyDown={(e) => e.key === 'Enter' && e.target === e.currentTarget && onOpen(record)}
    >
      <span role="cell" class="records-check">
        <input type="checkbox" aria-label={`Select ${record.id}`} checked={checked} onChange={(e) => onSelect([record.id], e.currentTarget.checked)} />
      </span>
      {columns.map((field) => (
        <span role="cell" key={field.name} class="records-cell"><RecordCell record={record} field={field} presentable={presentable[field.name]} /></span>
      ))}
    </div>
  );
}
