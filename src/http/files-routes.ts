/**
 * The files API (docs/api.md §8.2, §8.3): `GET|HEAD /api/files/{collection}/{record}/{filename}`
 * and `POST /api/files/token`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FileService } from '../core/files/file-service.js';
import { issueFileToken } from '../core/files/file-token.js';
import type { Storage } from '../core/files/storage.js';
import { AppError, badRequest } from '../errors/app-error.js';
import { sendStoredFile } from './file-send.js';
import { firstQueryValue } from './list-params.js';
import { requestInfo } from './request-auth.js';

type Params = { collection: string; record: string; filename: string };

/** What the files routes need. */
export interface FilesRoutesDeps {
  files: FileService;
  storage: Storage;
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
    return sendStoredFile(request, reply, deps.storage, {
      ...served,
      forceDownload: TRUE_WORDS.has(firstQueryValue(query, 'download')),
    });
  }

  // HEAD is its own route so that it never opens the file (Fastify's automatic HEAD
  // would read the whole stream and drop the Content-Length).
  app.get<{ Params: Params }>(path, { exposeHeadRoute: false }, serveFile);
  app.head<{ Params: Params }>(path, serveFile);

  app.post('/api/files/token', async function fileToken(request) {
    if (!request.auth) throw new AppError(401, 'The request requires valid record authorization token.');
    const token = await issueFileToken(request.auth);
    if (!token) throw badRequest('Failed to generate file token.');
    return { token };
  });
}
