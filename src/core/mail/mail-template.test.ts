import { describe, expect, it } from 'vitest';
import { usersCollection } from '../collections/collection-defaults.js';
import { defaultVerificationTemplate } from '../collections/auth-templates.js';
import { htmlToText, renderMailTemplate } from './mail-template.js';

const users = usersCollection();

describe('renderMailTemplate', () => {
  it.each([
    ['{APP_NAME} / {APP_URL}', 'My App / https://app.example.com'],
    ['{TOKEN}|{OTP}|{OTP_ID}|{ALERT_INFO}', 'tok|123456|otp123|Chrome'],
    ['{RECORD:name} <{RECORD:email}> {RECORD:verified}', 'Ann <ann@example.com> true'],
    ['{RECORD:password}{RECORD:tokenKey}', ''],
    ['{RECORD:nosuchfield}', ''],
    ['{UNKNOWN} stays', '{UNKNOWN} stays'],
  ])('fills %s', (body, expected) => {
    const out = renderMailTemplate({ subject: 's', body }, {
      appName: 'My App', appURL: 'https://app.example.com/', token: 'tok', otp: '123456', otpId: 'otp123', alertInfo: 'Chrome',
      record: { collection: users, values: { name: 'Ann', email: 'ann@example.com', verified: true, password: '$argon2id$secret', tokenKey: 'KEY' } },
    });
    expect(out.html).toBe(expected);
  });

  it('escapes values in the body and keeps the subject on one plain line', () => {
    const out = renderMailTemplate({ subject: 'Hi {RECORD:name}', body: '<p>Hi {RECORD:name}</p>' }, {
      appName: 'A', appURL: 'http://x', record: { collection: users, values: { name: '<script>"&\'\r\nBcc: x@evil' } },
    });
    expect(out.html).toBe('<p>Hi &lt;script&gt;&quot;&amp;&#39;\r\nBcc: x@evil</p>');
    expect(out.subject).toBe('Hi <script>"&\' Bcc: x@evil');
  });

  it('renders the default verification mail with its link in HTML and text', () => {
    const out = renderMailTemplate(defaultVerificationTemplate(), { appName: 'Acme', appURL: 'https://acme.test', token: 'a.b.c' });
    expect(out.subject).toBe('Verify your Acme email');
    expect(out.html).toContain('href="https://acme.test/_/#/auth/confirm-verification/a.b.c"');
    expect(out.text).toContain('Verify email (https://acme.test/_/#/auth/confirm-verification/a.b.c)');
    expect(out.text).not.toMatch(/<[a-z]/);
  });
});

describe('htmlToText', () => {
  it('keeps links, breaks lines and unescapes entities', () => {
    expect(htmlToText('<p>A &amp; B</p><p>x<br/>y</p><a href="http://l">go</a>')).toBe('A & B\nx\ny\ngo (http://l)');
  });
  it('matches links in any case, with other attributes, the first closing tag ending the label', () => {
    expect(htmlToText('<A class="b" HREF = "u">x\n<b>y</b></a>z</A>')).toBe('x\ny (u)z');
  });
  it('drops from each `<` to the next `>`, and keeps a `<` with no `>` after it', () => {
    expect(htmlToText('a < b <i>c</i>')).toBe('a c');
    expect(htmlToText('<<<' + 'x')).toBe('<<<x');
  });
});
