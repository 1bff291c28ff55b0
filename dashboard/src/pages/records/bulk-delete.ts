/**
 * Deletes many records at once (docs/dashboard.md, "Bulk delete"): through the batch API in
 * chunks of its `maxRequests` when the settings enable it (one transaction per chunk), else one
 * request after another.
 */
import { pb } from '../../pb.js';

/** Which records were deleted, and the first error if some were not. */
export interface BulkDeleteResult {
  deleted: string[];
  error?: unknown;
}

export async function deleteRecords(collection: string, ids: readonly string[]): Promise<BulkDeleteResult> {
  const deleted: string[] = [];
  try {
    const { batch } = await pb.settings.getAll({ requestKey: null }) as { batch?: { enabled?: boolean; maxRequests?: number } };
    const chunk = batch?.enabled ? Math.max(0, Math.floor(batch.maxRequests ?? 0)) : 0;
    if (chunk > 1) {
      for (let i = 0; i < ids.length; i += chunk) {
        const part = ids.slice(i, i + chunk);
        const request = pb.createBatch();
        for (const id of part) request.collection(collection).delete(id);
        await request.send({ requestKey: null });
        deleted.push(...part);
      }
    } else {
      for (const id of ids) {
        await pb.collection(collection).delete(id, { requestKey: null });
        deleted.push(id);
      }
    }
    return { deleted };
  } catch (error) {
    return { deleted, error };
  }
}
