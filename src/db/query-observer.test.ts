/** The kind label of a statement (docs/observability.md §1) comes from its first word, whatever its case or leading space. */
import { describe, expect, it } from 'vitest';
import { statementKind } from './query-observer.js';

describe('statementKind', () => {
  it.each([
    ['select "id" from "posts" where "id" = ?', 'select'],
    ['  SELECT 1', 'select'],
    ['\nWITH x AS (SELECT 1) SELECT * FROM x', 'select'],
    ['insert into "posts" ("id") values (?)', 'insert'],
    ['UPDATE _jobs SET status = ?', 'update'],
    ['delete from "posts" where "id" = ?', 'delete'],
    ['begin', 'other'],
    ['CREATE TABLE x (id TEXT)', 'other'],
    ['selected', 'other'],
    ['', 'other'],
  ])('%j is %s', (text, kind) => {
    expect(statementKind(text)).toBe(kind);
  });
});
