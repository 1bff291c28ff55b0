/**
 * `#/logs` (docs/dashboard.md, "Logs"): the stored log entries, a page at a time, with the
 * filter language, a level filter, a UTC date range, sorting by column, the requests-per-hour
 * chart over the range and the detail of one entry in a drawer. The filters live in the URL.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { HourlyStats, ListResult, LogModel } from 'pocketbase';
import { pb } from '../../pb.js';
import { toast } from '../../toast.js';
import type { PageProps } from '../../routes.js';
import { formErrors } from '../../field-errors.js';
import { Button } from '../../components/button.js';
import { Checkbox } from '../../components/checkbox.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { EmptyState } from '../../components/empty-state.js';
import { Loading } from '../../components/loading.js';
import { PageHeader } from '../../components/page-header.js';
import { SelectInput } from '../../components/select-input.js';
import { FilterInput } from './filter-input.js';
import { LogDetail } from './log-detail.js';
import { LogsChart } from './logs-chart.js';
import { LOG_LEVELS, levelClass, levelLabel } from './log-levels.js';
import { DateRange } from './date-range.js';
import { logsFilter, logsQueryParams, minuteMs, parseLogsQuery, rangeProblem, type LogsQuery } from './logs-query.js';
import { readHashQuery, writeHashQuery } from '../../hash-query.js';
import './logs.css';

const PER_PAGE = 50;
const LEVEL_OPTIONS = [{ value: '', label: 'All levels' }, ...LOG_LEVELS.map((l) => ({ value: String(l.value), label: l.label }))];
const SORTABLE = [
  { field: 'created', label: 'Created' },
  { field: 'level', label: 'Level' },
  { field: 'message', label: 'Message' },
] as const;

type Loaded = { list: ListResult<LogModel>; stats: HourlyStats[] };

export default function LogsPage(_props: PageProps) {
  const initial = useMemo(() => readHashQuery(), []);
  const [query, setQuery] = useState<LogsQuery>(() => parseLogsQuery(initial));
  const [draft, setDraft] = useState(query.filter);
  const [range, setRange] = useState({ from: query.from, to: query.to });
  const [rangeError, setRangeError] = useState<string | undefined>();
  const [sort, setSort] = useState(() => (/^-?(created|level|message)$/.test(initial.get('sort') ?? '') ? initial.get('sort')! : '-created'));
  const [page, setPage] = useState(1);
  const [reload, setReload] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(true);
  const [open, setOpen] = useState<LogModel | null>(null);
  const [confirmingDelete, setConfirmingDelete] = useState(false);

  /** `DELETE /api/logs` (docs/operations.md, "Logs"): every entry goes, the logs settings stay. */
  const deleteAll = async (): Promise<void> => {
    try {
      await pb.logs.truncate({ requestKey: null });
      toast('Deleted all log entries');
      setOpen(null);
      setPage(1);
      setReload((n) => n + 1);
    } catch (err) {
      setError(formErrors(err).form ?? 'The logs could not be deleted.');
    }
  };

  useEffect(() => {
    let live = true;
    const filter = logsFilter(query);
    setBusy(true);
    Promise.all([
      pb.logs.getList(page, PER_PAGE, { filter, sort, requestKey: null }),
      pb.logs.getStats({ filter, requestKey: null }),
    ]).then(
      ([list, stats]) => {
        if (!live) return;
        setLoaded({ list, stats });
        setError(undefined);
        setBusy(false);
      },
      (err: unknown) => {
        if (!live) return;
        setError(formErrors(err).form ?? 'The logs could not be loaded.');
        setBusy(false);
      },
    );
    return () => {
      live = false;
    };
  }, [query, sort, page, reload]);

  const remember = (q: LogsQuery, nextSort: string): void => {
    writeHashQuery({ ...logsQueryParams(q), sort: nextSort === '-created' ? '' : nextSort });
  };
  const apply = (next: Partial<LogsQuery>): void => {
    const merged = { ...query, filter: draft, ...range, ...next };
    const problem = rangeProblem(merged.from, merged.to);
    setRangeError(problem);
    if (problem) return;
    setQuery(merged);
    setPage(1);
    remember(merged, sort);
  };
  const sortBy = (field: string): void => {
    const next = sort === `-${field}` ? field : `-${field}`;
    setSort(next);
    setPage(1);
    remember(query, next);
  };
  const changeRange = (next: { from: string; to: string }): void => {
    setRange(next);
    apply(next);
  };
  const list = loaded?.list;

  return (
    <section class="logs">
      <PageHeader title="Logs">
        <Button variant="secondary" busy={busy} onClick={() => setReload((n) => n + 1)}>Refresh</Button>
        <Button variant="danger" onClick={() => setConfirmingDelete(true)}>Delete all logs</Button>
      </PageHeader>
      <form class="logs-filters" onSubmit={(e) => { e.preventDefault(); apply({}); }}>
        <div class="logs-filter-text">
          <FilterInput
            label="Filter" value={draft} onValue={setDraft} onSubmit={() => apply({})} error={error}
            placeholder={'data.status >= 400 && data.url ~ "/api/collections"'}
            help="The filter language over id, created, level, message and data.* — Enter applies it."
          />
        </div>
        <SelectInput label="Level" value={query.level} options={LEVEL_OPTIONS} onValue={(level) => apply({ level })} />
        <DateRange from={range.from} to={range.to} error={rangeError} onRange={changeRange} />
        <Checkbox label="Include superusers' requests" checked={query.withSuperusers} onChecked={(withSuperusers) => apply({ withSuperusers })} />
        <Button type="submit" variant="primary">Apply</Button>
      </form>
      {loaded ? (
        <LogsChart stats={loaded.stats} from={query.from ? minuteMs(query.from) : undefined} to={query.to ? minuteMs(query.to) : undefined} />
      ) : null}
      {!list ? (error ? null : <Loading label="Loading logs…" />) : list.items.length === 0 ? (
        <EmptyState title="No log entries" detail={query.filter || query.level || query.from || query.to ? 'Nothing matches the filter.' : 'Requests and app.logger() entries appear here.'} />
      ) : (
        <>
          <div class="logs-table-wrap">
            <table class="logs-table" aria-busy={busy}>
              <thead>
                <tr>
                  {SORTABLE.map(({ field, label }) => {
                    const state = sort === field ? 'ascending' : sort === `-${field}` ? 'descending' : 'none';
                    return (
                      <th key={field} scope="col" aria-sort={state}>
                        <button type="button" class="logs-sort" onClick={() => sortBy(field)}>
                          {label}{state === 'ascending' ? ' ▲' : state === 'descending' ? ' ▼' : ''}
                        </button>
                      </th>
                    );
                  })}
                  <th scope="col">Status</th>
                  <th scope="col">Auth</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((log) => (
                  <tr key={log.id}>
                    <td class="logs-created">{log.created.replace('T', ' ')}</td>
                    <td><span class={levelClass(log.level)}>{levelLabel(log.level)}</span></td>
                    <td class="logs-message">
                      <button type="button" class="logs-open" onClick={() => setOpen(log)}>{log.message}</button>
                    </td>
                    <td>{log.data?.status ?? ''}</td>
                    <td>{log.data?.auth ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="logs-pager" aria-label="Pages">
            <Button disabled={page <= 1} onClick={() => setPage(page - 1)}>Previous</Button>
            <span aria-live="polite">Page {list.page} of {Math.max(1, list.totalPages)} · {list.totalItems} entries</span>
            <Button disabled={page >= list.totalPages} onClick={() => setPage(page + 1)}>Next</Button>
          </nav>
        </>
      )}
      <LogDetail log={open} onClose={() => setOpen(null)} />
      <ConfirmDialog open={confirmingDelete} onClose={() => setConfirmingDelete(false)} onConfirm={deleteAll} title="Delete all logs?"
        confirmLabel="Delete all logs" message="Every stored log entry is deleted, whatever the filter shows. This cannot be undone." />
    </section>
  );
}
