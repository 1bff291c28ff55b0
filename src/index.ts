/**
 * Plinth's public API: what `import … from 'plinth'` gives a hooks file, a
 * migration or a Node program using Plinth as a library (docs/hooks.md).
 * Hooks and migrations get the running server's own copy of these exports.
 */
export { definePlugin } from './app/define-plugin.js';
export { PlinthApp } from './app/plinth-app.js';
export type { AppEvent, ServeEvent, Plugin, CollectionRef, FindOptions, StartOptions } from './app/plinth-app.js';
export { RecordModel as Record } from './core/records/record-model.js';
export { CollectionModel as Collection } from './core/collections/collection-model.js';
export type { Collection as CollectionDefinition } from './core/collections/collection.js';
export type { RecordModelEvent, RecordErrorEvent, RecordEnrichEvent } from './core/records/record-hooks.js';
export type { HookEvent, HookHandler, HookHandle } from './tools/hook.js';
export { RequestEvent } from './http/request-event.js';
export { AppError } from './errors/app-error.js';
export { ApiError, BadRequestError, UnauthorizedError, ForbiddenError, NotFoundError, TooManyRequestsError } from './errors/api-errors.js';
export { createPlinth } from './app/plinth-library.js';
export type { CreatePlinthOptions } from './app/plinth-library.js';
export { UserCodeError } from './app/code-loader.js';
export { ConfigError } from './config/config-error.js';
export type { RouteHandler, Middleware } from './http/custom-routes.js';
export type { Apis } from './http/route-middlewares.js';
export type { RecordRequestEvent, RecordsListRequestEvent } from './http/record-request-hooks.js';
export type {
  AuthRequestEvent, RecordFlowRequestEvent, RecordEmailChangeRequestEvent, RecordAuthRequestEvent, RecordAuthWithPasswordRequestEvent,
  RecordAuthWithOTPRequestEvent, RecordAuthWithOAuth2RequestEvent, RecordCreateOTPRequestEvent,
} from './http/auth-request-hooks.js';
export type { MailerEvent, MailerRecordEvent } from './core/mail/mail-hooks.js';
export type { AppJobs, AppJobOptions, AppEnqueueOptions, AppBackoff } from './app/app-jobs.js';
export type { JobContext, JobView, JobStatus, BackoffSpec } from './core/jobs/job-types.js';
export type { CronHandler, CronEntry } from './core/jobs/cron-scheduler.js';
