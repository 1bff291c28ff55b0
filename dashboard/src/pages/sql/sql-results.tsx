/** The answer of one console statement: timing, affected rows, and its rows under typed column names. */

/** `POST /api/sql`'s answer (docs/operations.md, "SQL console"). */
export interface SqlAnswer {
  execTime: number;
  affectedRows: number;
  columns: { name: string; type: string; nullable: boolean }[];
  rows: (string | null)[][];
  /** Plinth: more rows than the 1,000 returned. */
  truncated?: boolean;
}

export function SqlResults({ answer }: { answer: SqlAnswer }) {
  return (
    <section class="sql-results" aria-label="Results">
      <p class="sql-summary" role="status">
        {answer.rows.length} {answer.rows.length === 1 ? 'row' : 'rows'} · {answer.affectedRows} affected · {answer.execTime} ms
        {answer.truncated ? ' · only the first 1,000 rows are shown' : ''}
      </p>
      {answer.columns.length > 0 ? (
        <div class="sql-table-wrap">
          <table class="sql-table">
            <thead>
              <tr>
                {answer.columns.map((column, i) => (
                  <th key={i} scope="col">
                    <span class="sql-column-name">{column.name}</span>
                    {column.type ? <span class="sql-column-type">{column.type}</span> : null}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {answer.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((value, c) => <td key={c}>{value === null ? <span class="sql-null">NULL</span> : value}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
