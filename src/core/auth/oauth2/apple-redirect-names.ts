/**
 * Apple has no user-info endpoint and names the user only once: in the `user`
 * field of its form_post redirect (docs/api.md §5.5). The redirect route shares that
 * name with every node for a minute, keyed by the code, so the auth-with-oauth2
 * call that follows (on whichever node) can use it, as PocketBase does.
 */
import { createHash } from 'node:crypto';
import type { Bus } from '../../realtime/bus.js';

/** The Bus channel of remembered names. */
const CHANNEL = 'plinth:oauth2-apple-name';
/** How long a name waits for its auth-with-oauth2 call (PocketBase: 1 minute). */
const TTL_MS = 60_000;
/** The most names a node holds, so a flood of redirects cannot grow memory without bound. */
const MAX_ENTRIES = 10_000;
/** The longest name kept (PocketBase: 150). */
const MAX_NAME = 150;
/** The longest `user` value parsed. */
const MAX_INPUT = 4_096;

interface Shared {
  key: string;
  name: string;
}

/** AppleRedirectNames holds Apple users' names between the redirect and the sign-in. */
export class AppleRedirectNames {
  /** Names by key, oldest first (every entry lives equally long, so also soonest to expire first). */
  private readonly names = new Map<string, { name: string; expires: number }>();
  private off: (() => Promise<void>) | undefined;

  constructor(private readonly bus: Bus, private readonly now: () => number = Date.now) {}

  /** Starts receiving the names other nodes (and this one) share. */
  async start(): Promise<void> {
    this.off = await this.bus.subscribe(CHANNEL, (message) => this.receive(message));
  }

  /** Stops receiving and forgets every name. */
  async stop(): Promise<void> {
    await this.off?.();
    this.off = undefined;
    this.names.clear();
  }

  /**
   * Shares the full name in Apple's `user` JSON (`{"name":{"firstName","lastName"}}`)
   * under `code`; a value without a name is ignored.
   */
  async remember(code: string, appleUser: string): Promise<void> {
    const name = parseAppleName(appleUser);
    if (code === '' || name === '') return;
    await this.bus.publish(CHANNEL, JSON.stringify({ key: keyOf(code), name } satisfies Shared));
  }

  /** The name remembered for `code`, removed as it is read; '' when there is none. */
  take(code: string): string {
    const key = keyOf(code);
    const entry = this.names.get(key);
    this.names.delete(key);
    return entry && entry.expires > this.now() ? entry.name : '';
  }

  private receive(message: string): void {
    let shared: Partial<Shared>;
    try {
      shared = JSON.parse(message) as Partial<Shared>;
    } catch {
      return;
    }
    if (typeof shared?.key !== 'string' || typeof shared.name !== 'string') return;
    const now = this.now();
    for (const [key, entry] of this.names) {
      if (entry.expires > now && this.names.size < MAX_ENTRIES) break;
      this.names.delete(key);
    }
    this.names.delete(shared.key);
    this.names.set(shared.key, { name: shared.name.slice(0, MAX_NAME), expires: now + TTL_MS });
  }
}

/** "First Last" from Apple's `user` JSON, trimmed and cut to 150 characters; '' if it has none. */
export function parseAppleName(appleUser: string): string {
  if (appleUser === '' || appleUser.length > MAX_INPUT) return '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(appleUser);
  } catch {
    return '';
  }
  const name = (parsed as { name?: { firstName?: unknown; lastName?: unknown } } | null)?.name;
  const part = (value: unknown) => (typeof value === 'string' ? value : '');
  return `${part(name?.firstName)} ${part(name?.lastName)}`.trim().slice(0, MAX_NAME).trim();
}

// SECURITY: the code is a credential until it is exchanged; only its hash travels and is held.
function keyOf(code: string): string {
  return createHash('sha256').update(code).digest('base64url');
}
