/**
 * The records table, virtualised by hand (docs/dashboard.md, "Records"): rows have one fixed
 * height, and only the rows in view (plus a few either side) exist in the DOM, so 10,000
 * loaded records scroll like 30. Asks for the next page when the view nears the last row.
 * Keyboard: the grid holds the focus and names the active row with aria-activedescendant, so
 * the focus never sits on a row node that a scroll recycles; Up/Down (Home/End, Page Up/Down)
 * move the active row and scroll it into view, Enter opens it, Space selects it.
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
  const [activeAt, setActiveAt] = useState<number | null>(null);
  // A reload or a filter can shorten the list under the active row.
  const active = activeAt !== null && items.length > 0 ? Math.min(activeAt, items.length - 1) : null;

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

  /** Makes row `index` active and scrolls it just into view, below the sticky header. */
  const activate = (index: number): void => {
    const el = scroller.current;
    const next = Math.max(0, Math.min(items.length - 1, index));
    setActiveAt(next);
    if (!el) return;
    const body = el.querySelector<HTMLElement>('.records-body');
    const head = el.querySelector<HTMLElement>('.records-head')?.offsetHeight ?? 0;
    const top = (body?.offsetTop ?? head) + next * ROW_HEIGHT;
    if (top - head < el.scrollTop) el.scrollTop = top - head;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
  };
  /** Focus arriving with no active row makes the first row in view active, so the focus is visible at once. */
  const onFocus = (e: FocusEvent): void => {
    if (e.target === e.currentTarget && active === null && items.length > 0) setActiveAt(Math.min(Math.ceil(view.top / ROW_HEIGHT), items.length - 1));
  };
  const onKeyDown = (e: KeyboardEvent): void => {
    // Keys typed in the header's checkbox or sort buttons, or in a row's checkbox, are theirs.
    if (e.target !== e.currentTarget || items.length === 0) return;
    const page = Math.max(1, Math.floor(view.height / ROW_HEIGHT) - 2);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    if (e.key in moves) activate(active === null ? 0 : active + moves[e.key]!);
    else if (e.key === 'Home') activate(0);
    else if (e.key === 'End') activate(items.length - 1);
    else if (e.key === 'Enter' && active !== null) props.onOpen(items[active]!);
    else if (e.key === ' ' && active !== null) props.onSelect([items[active]!.id], !selected.has(items[active]!.id));
    else return;
    e.preventDefault();
  };

  const template = `2.5rem repeat(${columns.length}, minmax(9rem, 1fr))`;
  const minWidth = `${2.5 + columns.length * 9}rem`;
  const allSelected = items.length > 0 && items.every((r) => selected.has(r.id));
  const rows = [];
  // Keyed by slot, not by record: a scroll reuses the rows' DOM nodes and only changes their text.
  for (let i = first; i < last; i++) {
    rows.push(<Row key={i % SLOTS} index={i} record={items[i]!} template={template} active={i === active} onActivate={setActiveAt} {...props} />);
  }
  // Only a rendered row can be the active descendant; scrolled away with the mouse, none is named.
  const activeId = active !== null && active >= first && active < last ? rowId(active) : undefined;

  return (
    <div class="records-scroller" ref={scroller} tabIndex={-1}>
      <div class="records-table" role="grid" aria-label="Records" aria-rowcount={items.length + 1} aria-readonly="true" style={{ minWidth }}
        tabIndex={0} aria-activedescendant={activeId} onKeyDown={onKeyDown}
        onFocus={onFocus}>
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
  active: boolean;
  onActivate: (index: number) => void;
}

/** The DOM id of the row at `index`, for aria-activedescendant. */
function rowId(index: number): string {
  return `records-row-${index}`;
}

function Row({ index, record, template, active, onActivate, columns, selected, onSelect, onOpen, presentable }: RowProps) {
  const checked = selected.has(record.id);
  return (
    <div
      id={rowId(index)} class={`records-row${checked ? ' records-row-selected' : ''}${active ? ' records-row-active' : ''}`} role="row"
      aria-rowindex={index + 2} aria-selected={checked}
      style={{ gridTemplateColumns: template, transform: `translateY(${index * ROW_HEIGHT}px)` }}
      onClick={(e) => {
        // NOTE: a click on the checkbox re-renders nothing here: a render between its click and its
        // change event would reset the box before onChange reads it.
        if ((e.target as HTMLElement).closest('.records-check')) return;
        onActivate(index);
        onOpen(record);
      }}
    >
      <span role="gridcell" class="records-check">
        <input type="checkbox" aria-label={`Select ${record.id}`} checked={checked} onChange={(e) => onSelect([record.id], e.currentTarget.checked)} />
      </span>
      {columns.map((field) => (
        <span role="gridcell" key={field.name} class="records-cell"><RecordCell record={record} field={field} presentable={presentable[field.name]} /></span>
      ))}
    </div>
  );
}
