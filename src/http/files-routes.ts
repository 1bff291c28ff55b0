/**
 * The files API (docs/api.md §8.2, §8.3): `GET|HEAD /api/files/{collection}/{record}/{filename}`
 * and `POST /api/files/token`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FileService, ServedFile } from '../core/files/file-service.js';
import { issueFileToken } from '../core/files/file-token.js';
import type { Storage } from '../core/files/storage.js';
import { AppError, badRequest, notFound } from '../errors/app-error.js';
import { sendStoredFile } from './file-send.js';
import { firstQueryValue } from './list-params.js';
import { requestInfo } from './request-auth.js';
import { collectionEventTags } from '../core/collections/collection-hooks.js';
import { RecordModel } from '../core/records/record-model.js';
import { FileDownloadRequestEvent, FileTokenRequestEvent, respondHooked, runRequestHook, type AdminHooks } from './admin-hooks.js';

type Params = { collection: string; record: string; filename: string };

/** What the files routes need. */
export interface FilesRoutesDeps {
  files: FileService;
  storage: Storage;
  /** The file request hooks; with none bound a route builds no event. */
  hooks: AdminHooks;
}

// Go's strconv.ParseBool spellings of true (PocketBase reads `download` with it).
const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/** Registers the files routes. */
export function registerFilesRoutes(app: FastifyInstance, deps: FilesRoutesDeps): void {
  const path = '/api/files/:collection/:record/:filename';

  async function serveFile(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<FastifyReply> {
    const { collection, record, filename } = request.params;
    const query = request.query;
    const served = await deps.files.resolve(collection, record, filename, {
      thumb: firstQueryValue(query, 'thumb'),
      token: firstQueryValue(query, 'token'),
    }, requestInfo(request));
    // Clickjacking is no concern for uploaded files, which may be embedded anywhere (docs/api.md §1.1).
    reply.raw.removeHeader('X-Frame-Options');
    const forceDownload = TRUE_WORDS.has(firstQueryValue(query, 'download'));
    if (deps.hooks.onFileDownloadRequest.isEmpty) return sendStoredFile(request, reply, deps.storage, { ...served, forceDownload });
    return serveHooked(request, reply, served, forceDownload);
  }

  /** Serves a file through `onFileDownloadRequest`: a handler may refuse it, answer itself, or serve another stored file. */
  async function serveHooked(request: FastifyRequest, reply: FastifyReply, served: ServedFile, forceDownload: boolean): Promise<FastifyReply> {
    const { collection, field } = served;
    const record = RecordModel.fromStored(collection, served.record);
    const e = new FileDownloadRequestEvent(deps.hooks.app(), request, collection, record, field, served.key, served.name);
    let object = served.object;
    const ran = await runRequestHook(deps.hooks.onFileDownloadRequest, e, collectionEventTags(collection), async (ev) => {
      if (ev.servedPath === served.key) return;
      object = (await deps.storage.stat(ev.servedPath)) ?? notFoundObject();
    });
    if (e.response || !ran) return respondHooked(e, reply, ran, 204);
    return sendStoredFile(request, reply, deps.storage, { key: e.servedPath, name: e.servedName, object, forceDownload });
  }

  // HEAD is its own route so that it never opens the file (Fastify's automatic HEAD
  // would read the whole stream and drop the Content-Length).
  app.get<{ Params: Params }>(path, { exposeHeadRoute: false }, serveFile);
  app.head<{ Params: Params }>(path, serveFile);

  app.post('/api/files/token', async function fileToken(request, reply) {
    const auth = request.auth;
    if (!auth) throw new AppError(401, 'The request requires valid record authorization token.');
    const token = await issueFileToken(auth);
    if (!token) throw badRequest('Failed to generate file token.');
    if (deps.hooks.onFileTokenRequest.isEmpty) return { token };
    const e = new FileTokenRequestEvent(deps.hooks.app(), request, RecordModel.fromStored(auth.collection, auth.record), token);
    const ran = await runRequestHook(deps.hooks.onFileTokenRequest, e, collectionEventTags(auth.collection), () => undefined);
    return respondHooked(e, reply, ran, 200, () => ({ token: e.token }));
  });
}

function notFoundObject(): never {
  throw notFound();
}
