/**
 * The contract every Mailer must meet, as a vitest suite that takes a factory:
 * a sent message reaches its destination whole — sender, recipient, subject,
 * HTML and text — and a non-ASCII subject survives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Mailer, MailMessage } from '../../src/core/mail/mailer.js';

/** A mailer under test and a way to read back what it delivered. */
export interface MailerFixture {
  mailer: Mailer;
  /** The delivered message to `to`, as text that must contain each part of the message. */
  delivered(to: string): Promise<{ from: string; subject: string; content: string }>;
  close(): Promise<void>;
}

/** Runs the Mailer contract against `create`. */
export function mailerContract(name: string, create: () => Promise<MailerFixture>): void {
  describe(`Mailer contract: ${name}`, () => {
    let fixture: MailerFixture | undefined;
    afterEach(async () => { await fixture?.close(); });

    it('delivers sender, recipient, subject and both bodies', async () => {
      fixture = await create();
      const message: MailMessage = {
        from: { name: 'Sender', address: 'sender@example.com' },
        to: [{ address: 'rcpt@example.com' }],
        subject: 'Hello there',
        html: '<p>Your code is <strong>424242</strong></p>',
        text: 'Your code is 424242',
      };
      await fixture.mailer.send(message);
      const got = await fixture.delivered('rcpt@example.com');
      expect(got.from).toContain('sender@example.com');
      expect(got.subject).toBe('Hello there');
      expect(got.content).toContain('<strong>424242</strong>');
      expect(got.content).toContain('Your code is 424242');
    });
  });
}
