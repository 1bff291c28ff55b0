/**
 * The mail hooks (docs/hooks.md §2), as PocketBase's OnMailerSend and
 * OnMailerRecord…Send: run before a mail leaves. A handler may edit
 * `e.message` (to, subject, html, text, headers); one that does not call
 * `await e.next()` stops the mail.
 */
import { Hook, type HookEvent } from '../../tools/hook.js';
import type { Collection } from '../collections/collection.js';
import { collectionTags } from '../records/record-hooks.js';
import type { RecordModel } from '../records/record-model.js';
import type { Mailer, MailMessage } from './mailer.js';
import { inSpan, tracing } from '../../tools/tracing.js';

/** The event of `onMailerSend`: every mail, whatever sends it. */
export interface MailerEvent<A = unknown> extends HookEvent {
  app: A;
  /** The message about to be sent; a handler may change any of it. */
  message: MailMessage;
}

/** The event of a record mail hook: an auth flow's mail about `record`. */
export interface MailerRecordEvent<A = unknown> extends MailerEvent<A> {
  record: RecordModel;
  collection: Collection;
  /** What the mail carries besides the record (`token`, `newEmail`, `otpId`, `password`, `info`). */
  meta: Record<string, unknown>;
}

/** Every mail hook, one Hook each; the record hooks' tags are the collection's name and id. */
export class MailHooks<A = unknown> {
  readonly onMailerSend = new Hook<MailerEvent<A>>();
  readonly onMailerRecordVerificationSend = new Hook<MailerRecordEvent<A>>();
  readonly onMailerRecordPasswordResetSend = new Hook<MailerRecordEvent<A>>();
  readonly onMailerRecordEmailChangeSend = new Hook<MailerRecordEvent<A>>();
  readonly onMailerRecordOTPSend = new Hook<MailerRecordEvent<A>>();
  readonly onMailerRecordAuthAlertSend = new Hook<MailerRecordEvent<A>>();

  /** The app a handler gets; set by the composition root. */
  appFor: () => A = () => undefined as A;
}

/** The record mail hooks by the name of the mail they run for. */
export type RecordMailHook = 'onMailerRecordVerificationSend' | 'onMailerRecordPasswordResetSend' | 'onMailerRecordEmailChangeSend'
  | 'onMailerRecordOTPSend' | 'onMailerRecordAuthAlertSend';

/** A Mailer that runs `onMailerSend` around every message it hands to `inner`. */
export class HookedMailer<A> implements Mailer {
  constructor(private readonly inner: Mailer, private readonly hooks: MailHooks<A>) {}

  async send(message: MailMessage): Promise<void> {
    const hook = this.hooks.onMailerSend;
    if (hook.isEmpty) return this.transmit(message);
    await hook.trigger({ app: this.hooks.appFor(), message }, [], (e) => this.transmit(e.message));
  }

  /** Hands the message to the transport, in a span when tracing is on (docs/observability.md §3). */
  private transmit(message: MailMessage): Promise<void> {
    const tracer = tracing.tracer;
    if (tracer) return inSpan(tracer, 'mail send', {}, () => this.inner.send(message));
    return this.inner.send(message);
  }
}

/**
 * Sends a record mail through its record hook (and then the mailer, which runs
 * `onMailerSend`); with no handler bound the message goes straight to the mailer.
 */
export async function sendRecordMail<A>(
  hooks: MailHooks<A>, which: RecordMailHook, mailer: Mailer, message: MailMessage, record: () => RecordModel, meta: Record<string, unknown>,
): Promise<void> {
  const hook = hooks[which];
  if (hook.isEmpty) return mailer.send(message);
  const model = record();
  const collection = model.collection();
  await hook.trigger({ app: hooks.appFor(), message, record: model, collection, meta }, collectionTags(collection), (e) => mailer.send(e.message));
}
