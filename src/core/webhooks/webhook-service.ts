/**
 * The WebhookService keeps the webhooks (docs/webhooks.md §2): saves them after their
 * checks, generates their signing secrets, and keeps every node's in-memory index of the
 * active ones current (a change is announced; other nodes reload).
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/database.js';
import { notFound } from '../../errors/app-error.js';
import { nowDateTime } from '../../tools/datetime.js';
import { randomId } from '../../tools/ids.js';
import { publicWebhook, type Webhook } from './webhook.js';
import { WebhookIndex } from './webhook-index.js';
import { deleteWebhook, findWebhook, insertWebhook, loadWebhooks, pageWebhooks, updateWebhook } from './webhook-store.js';
import { validateWebhook, type WebhookValidateDeps } from './webhook-validate.js';

/** What the service needs. */
export interface WebhookServiceDeps extends WebhookValidateDeps {
  db: Db;
  /** Tells the other nodes that the webhooks changed (they reload); must not throw. */
  onChange: () => Promise<void>;
  /** Called with each target no webhook uses any more (a broker connection to close); must not throw. */
  onTargetDropped?: (url: string) => void;
}

/** A list response (docs/api.md §1.7). */
export interface WebhookListJson {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: Webhook[];
}

/** A new Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** WebhookService is the webhooks API without HTTP. */
export class WebhookService {
  /** The active webhooks, in memory. */
  readonly index = new WebhookIndex();
  private readonly byId = new Map<string, Webhook>();

  constructor(private readonly deps: WebhookServiceDeps) {}

  /** Loads the webhooks (at start, and when another node announces a change). */
  async reload(): Promise<void> {
    const all = await loadWebhooks(this.deps.db);
    const before = new Set([...this.byId.values()].map((w) => w.url));
    this.byId.clear();
    for (const w of all) this.byId.set(w.id, w);
    this.index.replace(all);
    // Every node reloads, so every node closes the connections of targets gone everywhere.
    const kept = new Set(all.map((w) => w.url));
    for (const url of before) if (!kept.has(url)) this.deps.onTargetDropped?.(url);
  }

  /**
   * The webhook with this id (a delivery reads it): from memory, kept current on every node,
   * else from the database (one saved on another node a moment ago); undefined once deleted.
   */
  async find(id: string): Promise<Webhook | undefined> {
    return this.byId.get(id) ?? findWebhook(this.deps.db, id);
  }

  /** A page of webhooks, newest first. */
  async list(page: number, perPage: number): Promise<WebhookListJson> {
    const { items, totalItems } = await pageWebhooks(this.deps.db, perPage, (page - 1) * perPage);
    return { page, perPage, totalItems, totalPages: Math.ceil(totalItems / perPage), items: items.map(publicWebhook) };
  }

  /** The webhook with this id; 404 when there is none. */
  async get(id: string): Promise<Webhook> {
    const w = await findWebhook(this.deps.db, id);
    if (!w) throw notFound();
    return w;
  }

  /** Creates a webhook from a request body, with a new secret; 400 naming each bad field. */
  async create(body: Record<string, unknown>): Promise<Webhook> {
    const input = await validateWebhook(this.deps, body);
    const now = nowDateTime();
    const w: Webhook = { id: randomId(), ...input, secret: newWebhookSecret(), created: now, updated: now };
    await insertWebhook(this.deps.db, w);
    await this.changed();
    return w;
  }

  /** Changes the fields the body names; 404 for an unknown id, 400 naming each bad field. */
  async update(id: string, body: Record<string, unknown>): Promise<Webhook> {
    const old = await this.get(id);
    const input = await validateWebhook(this.deps, body, old);
    const w: Webhook = { ...old, ...input, updated: nowDateTime() };
    await updateWebhook(this.deps.db, w);
    await this.changed();
    return w;
  }

  /** Deletes a webhook; 404 for an unknown id. Its deliveries still queued end as failed when they run. */
  async delete(id: string): Promise<void> {
    if (!(await deleteWebhook(this.deps.db, id))) throw notFound();
    await this.changed();
  }

  private async changed(): Promise<void> {
    await this.reload();
    await this.deps.onChange();
  }
}
