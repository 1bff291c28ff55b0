/**
 * The backups API (docs/operations.md, Backups), PocketBase's: `GET /api/backups`,
 * `POST /api/backups` (`{name?}`), `POST /api/backups/upload` (multipart `file`),
 * `DELETE /api/backups/{key}` and `POST /api/backups/{key}/restore` for superusers;
 * `GET /api/backups/{key}?token=` for the holder of a superuser's file token.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { badRequest, forbidden } from '../errors/app-error.js';
import { codeError } from '../errors/code-error.js';
import type { BackupService } from '../core/backups/backup-service.js';
import { detectMime } from '../core/files/mime-detect.js';
import { formatDateTime } from '../tools/datetime.js';
import { clientIp } from './client-ip.js';
import { assertSuperuser } from './request-auth.js';

/** The largest uploaded archive: 16 GiB (it is spooled to disk, never held in memory). */
export const MAX_BACKUP_UPLOAD = 16 * 1024 ** 3;

/** What the routes need. */
export interface BackupsRoutesDeps {
  backups: BackupService;
  /** Whether a file token (`?token=`) is a superuser's, valid from this client IP. */
  isSuperuserFileToken(token: string, ip: string | undefined): Promise<boolean>;
  /** Where an upload held in memory is written before it is stored (`<dir>/.tmp/uploads`). */
  uploadDir: string;
}

/** Registers the backups routes. */
export async function registerBackupsRoutes(app: FastifyInstance, deps: BackupsRoutesDeps): Promise<void> {
  const { backups } = deps;

  app.get<{ Params: { key: string } }>('/api/backups/:key', async function downloadBackup(request, reply) {
    const token = (request.query as Record<string, unknown>).token;
    const allowed = typeof token === 'string' && token !== '' && (await deps.isSuperuserFileToken(token, clientIp(request)));
    if (!allowed) throw forbidden('Insufficient permissions to access the resource.');
    const found = await backups.read(request.params.key);
    if (!found) throw badRequest('Failed to retrieve backup item.');
    return reply
      .header('Content-Type', 'application/zip')
      .header('Content-Length', found.size)
      .header('Content-Disposition', `attachment; filename=${JSON.stringify(request.params.key)}`)
      .send(found.stream);
  });

  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => assertSuperuser(request));

    scope.get('/api/backups', async function listBackups() {
      return (await backups.list()).map((b) => ({ key: b.key, size: b.size, modified: formatDateTime(b.modified) }));
    });

    scope.post('/api/backups', async function createBackup(request, reply) {
      const name = (request.body as Record<string, unknown> | undefined)?.name;
      if (name !== undefined && name !== null && typeof name !== 'string') {
        throw badRequest('An error occurred while validating the submitted data.', { name: codeError('validation_not_a_string') });
      }
      await backups.create(typeof name === 'string' && name !== '' ? name : undefined);
      return reply.code(204).send();
    });

    scope.post('/api/backups/upload', { bodyLimit: MAX_BACKUP_UPLOAD }, async function uploadBackup(request, reply) {
      const file = request.uploadedFiles.file?.[0];
      if (!file) throw badRequest('An error occurred while validating the submitted data.', { file: codeError('validation_required') });
      const { mime } = await detectMime(file);
      if (mime !== 'application/zip') {
        throw badRequest('An error occurred while validating the submitted data.', {
          file: codeError('validation_invalid_mime_type', { baseName: file.filename, mimeTypes: 'application/zip' }, `"${file.filename}" mime type must be one of: application/zip.`),
        });
      }
      let path: string;
      if ('path' in file) path = file.path;
      else {
        await mkdir(deps.uploadDir, { recursive: true });
      path = join(deps.uploadDir, `backup-${randomBytes(12).toString('hex')}`);
        await writeFile(path, file.data, { mode: 0o600, flag: 'wx' });
      }
      await backups.upload(file.filename, path);
      return reply.code(204).send();
    });

    scope.delete<{ Params: { key: string } }>('/api/backups/:key', async function deleteBackup(request, reply) {
      await backups.delete(request.params.key);
      return reply.code(204).send();
    });

    scope.post<{ Params: { key: string } }>('/api/backups/:key/restore', async function restoreBackup(request, reply) {
      await backups.restore(request.params.key);
      return reply.code(204).send();
    });
  });
}
