/**
 * The records endpoints of one collection (docs/api.md §3): list, aggregate, view, and for base and
 * auth collections create, update and delete, each marked with the rule that guards it.
 */
import type { Collection } from '../collections/collection.js';
import { errorRef, jsonBody, jsonResponse, NO_CONTENT, pathParam, queryParam, RECORD_QUERY } from './openapi-common.js';
import { multipartSchema, ref, schemaNames } from './openapi-record-schemas.js';
import { ruleMarks, ruleSentence, type RecordRuleName } from './openapi-rules.js';
import type { DocumentViewer, JsonSchema, Operation, PathItem } from './openapi-types.js';

/** The list query parameters (docs/api.md §1.7). */
const LIST_QUERY = [
  queryParam('page', 'The page, from 1.', { type: 'integer', minimum: 1, default: 1 }),
  queryParam('perPage', 'Records per page (at most 1000).', { type: 'integer', minimum: 1, maximum: 1000, default: 30 }),
  queryParam('sort', 'Sort fields, comma separated; `-` for descending (`-created,title`), `@random`, and `-@rank` (relevance, with a `search()` filter; docs/search.md §3).'),
  queryParam('filter', "A filter expression (`title ~ 'abc' && views > 10`); see docs/filter-language.md. `search('red shoes')` and `search(field, 'red shoes')` match the collection's searchable fields (docs/search.md §2)."),
  queryParam('skipTotal', 'Skip the count: totalItems and totalPages are -1.', { type: 'boolean' }),
  queryParam('cursor', 'Keyset pagination (docs/api.md §3.10): empty for the first page, then the previous answer\'s `nextCursor`; skips the count.'),
  ...RECORD_QUERY,
];

const ID_PARAM = pathParam('id', 'The record id.');

/** The aggregate endpoint's query parameters (docs/api.md §3.11). */
const AGGREGATE_QUERY = [
  queryParam('groupBy', "Group keys, comma separated: fields, single-relation paths (`customer.country`) or `strftime('%Y-%m', created)`."),
  queryParam('aggregate', 'Aggregates, comma separated: `count()`, `count(x)` (rows where x is not empty), `count_distinct(x)`, `sum(x)`, `avg(x)`, `min(x)`, `max(x)`; each answers as a key such as `sum_total`.'),
  queryParam('filter', 'Which records are counted, ANDed with the list rule.'),
  queryParam('sort', 'Output keys, comma separated; `-` for descending (`-sum_total`).'),
  queryParam('page', 'The page, from 1.', { type: 'integer', minimum: 1, default: 1 }),
  queryParam('perPage', 'Groups per page (at most 1000).', { type: 'integer', minimum: 1, maximum: 1000, default: 30 }),
];

/** A page of groups: each item holds its group keys and aggregate keys. */
const AGGREGATE_PAGE: JsonSchema = {
  type: 'object',
  properties: {
    page: { type: 'integer' },
    perPage: { type: 'integer' },
    items: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
  required: ['page', 'perPage', 'items'],
};

/** The path items of the records endpoints of `c`, keyed by path. */
export function recordPaths(c: Collection, viewer: DocumentViewer): Record<string, PathItem> {
  const names = schemaNames(c);
  const base = `/api/collections/${c.name}/records`;
  const op = (rule: RecordRuleName, fields: Operation): Operation => ({
    tags: [c.name],
    ...fields,
    description: `${fields.description as string} ${ruleSentence(rule, c[rule])}`,
    ...ruleMarks(rule, c[rule], viewer),
  });
  const list: PathItem = {
    get: op('listRule', {
      operationId: `${c.name}_list`, summary: `List ${c.name} records`, description: 'A page of the records the list rule lets the requester see.',
      parameters: LIST_QUERY,
      responses: { 200: jsonResponse('A page of records.', ref(names.list)), 400: errorRef('BadRequest'), 403: errorRef('Forbidden') },
    }),
  };
  const one: PathItem = {
    get: op('viewRule', {
      operationId: `${c.name}_view`, summary: `View a ${c.name} record`, description: 'One record.',
      parameters: [ID_PARAM, ...RECORD_QUERY],
      responses: { 200: jsonResponse('The record.', ref(names.record)), 403: errorRef('Forbidden'), 404: errorRef('NotFound') },
    }),
  };
  const aggregate: PathItem = {
    get: op('listRule', {
      operationId: `${c.name}_aggregate`, summary: `Aggregate ${c.name} records`,
      description: 'Groups and aggregates the records the list rule lets the requester see (docs/api.md §3.11).',
      parameters: AGGREGATE_QUERY,
      responses: { 200: jsonResponse('A page of groups.', AGGREGATE_PAGE), 400: errorRef('BadRequest'), 403: errorRef('Forbidden') },
    }),
  };
  const paths: Record<string, PathItem> = { [base]: list, [`${base}/aggregate`]: aggregate, [`${base}/{id}`]: one };
  if (c.type === 'view') return paths;
  const body = (name: string, multipart: boolean) => {
    const json = jsonBody(ref(name)) as { content: Record<string, unknown> };
    // NOTE: the multipart schema is a separate component: files travel as parts there.
    if (multipart) json.content['multipart/form-data'] = { schema: ref(`${name}Multipart`) };
    return json;
  };
  // The same test that decides whether the multipart components exist.
  const hasFiles = multipartSchema(c, viewer, 'create') !== undefined;
  list.post = op('createRule', {
    operationId: `${c.name}_create`, summary: `Create a ${c.name} record`, description: 'Creates a record; the create rule is checked against the record as it would be.',
    parameters: RECORD_QUERY,
    requestBody: body(names.create, hasFiles),
    responses: { 200: jsonResponse('The new record.', ref(names.record)), 400: errorRef('BadRequest'), 403: errorRef('Forbidden') },
  });
  one.patch = op('updateRule', {
    operationId: `${c.name}_update`, summary: `Update a ${c.name} record`, description: 'Changes the keys sent.',
    parameters: [ID_PARAM, ...RECORD_QUERY],
    requestBody: body(names.update, hasFiles),
    responses: { 200: jsonResponse('The updated record.', ref(names.record)), 400: errorRef('BadRequest'), 403: errorRef('Forbidden'), 404: errorRef('NotFound') },
  });
  one.delete = op('deleteRule', {
    operationId: `${c.name}_delete`, summary: `Delete a ${c.name} record`, description: 'Deletes the record and its files.',
    parameters: [ID_PARAM],
    responses: { 204: NO_CONTENT, 400: errorRef('BadRequest'), 403: errorRef('Forbidden'), 404: errorRef('NotFound') },
  });
  return paths;
}
