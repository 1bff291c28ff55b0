/**
 * Renders an auth collection's email template (docs/api.md §2.1): replaces the
 * placeholders `{APP_NAME}`, `{APP_URL}`, `{TOKEN}`, `{OTP}`, `{OTP_ID}`,
 * `{ALERT_INFO}` and `{RECORD:fieldName}` in the subject and the body.
 */
import { RE2JS } from 're2js';
import type { Collection, EmailTemplate } from '../collections/collection.js';

/** The values a template may refer to; absent ones render as empty text. */
export interface TemplateValues {
  appName: string;
  appURL: string;
  token?: string;
  otp?: string;
  otpId?: string;
  alertInfo?: string;
  /** The record the mail is about, with the collection that names its fields. */
  record?: { collection: Collection; values: Record<string, unknown> };
}

/** A rendered template: plain-text subject, HTML body and its text alternative. */
export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/** Renders a template; values are HTML-escaped in the body and kept plain (one line) in the subject. */
export function renderMailTemplate(template: EmailTemplate, values: TemplateValues): RenderedMail {
  const placeholders = placeholderValues(values);
  const fill = (text: string, escape: (s: string) => string) =>
    text.replace(/\{(APP_NAME|APP_URL|TOKEN|OTP|OTP_ID|ALERT_INFO|RECORD:\w+)\}/g, (whole, key: string) =>
      placeholders.has(key) ? escape(placeholders.get(key)!) : key.startsWith('RECORD:') ? '' : whole,
    );
  // SECURITY: a record value (e.g. a user's name) must not inject markup into the body
  // nor extra header lines into the subject.
  const subject = fill(template.subject, (s) => s).replace(/[\r\n]+/g, ' ');
  const html = fill(template.body, escapeHtml);
  return { subject, html, text: htmlToText(html) };
}

function placeholderValues(values: TemplateValues): Map<string, string> {
  const map = new Map<string, string>([
    ['APP_NAME', values.appName],
    ['APP_URL', trimTrailingSlashes(values.appURL)],
    ['TOKEN', values.token ?? ''],
    ['OTP', values.otp ?? ''],
    ['OTP_ID', values.otpId ?? ''],
    ['ALERT_INFO', values.alertInfo ?? ''],
  ]);
  const record = values.record;
  if (record) {
    // SECURITY: hidden fields (password hash, tokenKey, …) never reach a mail.
    for (const f of record.collection.fields) {
      if (!f.hidden) map.set(`RECORD:${f.name}`, stringify(record.values[f.name]));
    }
  }
  return map;
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(stringify).join(', ');
  return JSON.stringify(value);
}

// SECURITY: on RE2 (linear time): on V8, `[^>]*\bhref` and the lazy label backtrack
// over every `<a` of a superuser's template that has no closing tag.
const linkRe = RE2JS.compile('(?i)<a\\b[^>]*\\bhref\\s*=\\s*"([^"]*)"[^>]*>([\\s\\S]*?)</a>');

/**
 * Drops every `<…>` tag, as `replace(/<[^>]*>/g, '')` would, in one pass: that
 * regular expression rescans to the end of the text for each `<` without a `>`.
 */
function stripTags(text: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const lt = text.indexOf('<', i);
    const gt = lt === -1 ? -1 : text.indexOf('>', lt + 1);
    if (gt === -1) return out + text.slice(i);
    out += text.slice(i, lt);
    i = gt + 1;
  }
}

/** The text without its trailing slashes (a loop: `/\/+$/` is quadratic on a run of slashes). */
function trimTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x2f) end--;
  return text.slice(0, end);
}

/** Escapes the five HTML special characters. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/**
 * A readable plain-text version of a template's HTML: links keep their target,
 * paragraphs and line breaks become new lines, other tags are dropped.
 */
export function htmlToText(html: string): string {
  // re2js is linear but slower than V8: only texts that can hold a link pay for it.
  const linked = /<\/a>/i.test(html) ? linkRe.matcher(html).replaceAll((_m: string, href: string, label: string) => `${label.trim()} (${href})`) : html;
  return stripTags(linked.replace(/<br\s*\/?>/gi, '\n').replace(/<\/(p|div|h[1-6]|li|tr)>/gi, '\n'))
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .split('\n').map((line) => line.trim()).join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
