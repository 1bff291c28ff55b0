/** The hidden insertion-order column every collection table gets on PostgreSQL (it has no rowid). */
export const ROWID_COLUMN = '_rowid_';
