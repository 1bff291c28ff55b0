/**
 * The active webhooks of a node, in memory, indexed by what they subscribe to: a record
 * write asks it which webhooks want it without touching the database (docs/webhooks.md §4).
 */
import type { Collection } from '../collections/collection.js';
import type { RecordAction } from '../records/write-scope.js';
import { parseEventPattern, patternTakesCustom, patternTakesRecord, type EventPattern, type Webhook } from './webhook.js';

interface Entry {
  webhook: Webhook;
  patterns: EventPattern[];
}

/** A WebhookIndex answers "which active webhooks take this event", cached per collection and action. */
export class WebhookIndex {
  private entries: Entry[] = [];
  private readonly byRecord = new Map<string, Webhook[]>();
  private readonly byCustom = new Map<string, Webhook[]>();

  /** Replaces the webhooks; inactive ones are left out. */
  replace(webhooks: readonly Webhook[]): void {
    const entries: Entry[] = [];
    for (const w of webhooks) {
      if (!w.active) continue;
      // Parsed without the schema: a pattern names its collection, which may come and go.
      const patterns = w.events.map((e) => parseEventPattern(e)).filter((p): p is EventPattern => typeof p !== 'string');
      entries.push({ webhook: w, patterns });
    }
    this.entries = entries;
    this.byRecord.clear();
    this.byCustom.clear();
  }

  /** Whether no webhook is active. */
  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** The active webhooks that take this record action, oldest first. */
  forRecord(c: Collection, action: RecordAction): readonly Webhook[] {
    if (this.entries.length === 0) return [];
    // Keyed by id and name: a renamed collection matches patterns by its new name.
    const key = `${c.id}\u0000${c.name}\u0000${action}`;
    let list = this.byRecord.get(key);
    if (!list) {
      const names: [string, string] = [c.name, c.id];
      list = this.entries.filter((e) => e.patterns.some((p) => patternTakesRecord(p, names, action))).map((e) => e.webhook);
      this.byRecord.set(key, list);
    }
    return list;
  }

  /** The active webhooks that take a custom event of this type. */
  forCustom(type: string): readonly Webhook[] {
    if (this.entries.length === 0) return [];
    let list = this.byCustom.get(type);
    if (!list) {
      list = this.entries.filter((e) => e.patterns.some((p) => patternTakesCustom(p, type))).map((e) => e.webhook);
      // Types are app code's, but bound the cache anyway.
      if (this.byCustom.size > 1000) this.byCustom.clear();
      this.byCustom.set(type, list);
    }
    return list;
  }
}
