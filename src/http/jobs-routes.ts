/**
 * The jobs API (docs/jobs.md §4), superusers only: `GET /api/jobs` (page,
 * perPage, filtered by `name`, `status` and `tag`), `GET /api/jobs/{id}`,
 * `POST /api/jobs/{id}/retry` and `DELETE /api/jobs/{id}`. A bad query
 * parameter is a 400 naming it.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound, type ErrorData } from '../errors/app-error.js';
import { codeError } from '../errors/code-error.js';
import type { JobService } from '../core/jobs/job-service.js';
import type { JobListQuery } from '../core/jobs/job-store.js';
import { JOB_STATUSES, type JobStatus } from '../core/jobs/job-types.js';
import { DEFAULT_PER_PAGE, firstQueryValue, MAX_PER_PAGE } from './list-params.js';
import { assertSuperuser } from './request-auth.js';

/** The longest `name` or `tag` filter. */
const MAX_FILTER_VALUE = 255;

/** Registers the jobs routes. */
export async function registerJobsRoutes(app: FastifyInstance, jobs: JobService): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => assertSuperuser(request));

    scope.get('/api/jobs', async function listJobs(request) {
      const query = parseJobListQuery(request.query);
      const { items, total } = await jobs.list(query);
      return { page: query.page, perPage: query.perPage, totalItems: total, totalPages: Math.ceil(total / query.perPage), items };
    });

    scope.get<{ Params: { id: string } }>('/api/jobs/:id', async function viewJob(request) {
      const job = await jobs.get(request.params.id);
      if (!job) throw notFound();
      return job;
    });

    scope.post<{ Params: { id: string } }>('/api/jobs/:id/retry', async function retryJob(request) {
      return jobs.retry(request.params.id);
    });

    scope.delete<{ Params: { id: string } }>('/api/jobs/:id', async function deleteJob(request, reply) {
      if (!(await jobs.remove(request.params.id))) throw notFound();
      return reply.code(204).send();
    });
  });
}

/** The list query of `GET /api/jobs`; a 400 naming every bad parameter. */
export function parseJobListQuery(query: unknown): JobListQuery {
  const errors: ErrorData = {};
  const page = positiveInt(firstQueryValue(query, 'page'), 1, Number.MAX_SAFE_INTEGER, 'page', errors);
  const perPage = positiveInt(firstQueryValue(query, 'perPage'), DEFAULT_PER_PAGE, MAX_PER_PAGE, 'perPage', errors);
  const result: JobListQuery = { page, perPage };
  for (const key of ['name', 'tag'] as const) {
    const value = firstQueryValue(query, key);
    if (value.length > MAX_FILTER_VALUE) errors[key] = codeError('validation_length_too_long', { max: MAX_FILTER_VALUE });
    else if (value !== '') result[key] = value;
  }
  const status = firstQueryValue(query, 'status');
  if (status !== '') {
    if ((JOB_STATUSES as readonly string[]).includes(status)) result.status = status as JobStatus;
    else errors.status = codeError('validation_in_invalid', undefined, `Must be one of ${JOB_STATUSES.join(', ')}.`);
  }
  // The filter language is not offered here: a `filter` or `sort` would otherwise be silently ignored.
  for (const key of ['filter', 'sort'] as const) {
    if (firstQueryValue(query, key) !== '') errors[key] = codeError('validation_invalid_value', undefined, 'Not supported here: filter with name=, status= and tag=; jobs are listed newest first.');
  }
  if (Object.keys(errors).length > 0) throw badRequest('Invalid jobs list parameters.', errors);
  return result;
}

/** A whole number in [1, max], the fallback when absent; an error under `key` otherwise. */
function positiveInt(raw: string, fallback: number, max: number, key: string, errors: ErrorData): number {
  if (raw === '') return fallback;
  const value = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (Number.isSafeInteger(value) && value >= 1 && value <= max) return value;
  errors[key] = codeError('validation_invalid_value', undefined, `Must be a whole number between 1 and ${max}.`);
  return fallback;
}
