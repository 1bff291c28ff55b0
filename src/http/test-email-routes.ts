/**
 * `POST /api/settings/test/email` (docs/api.md §9, superusers only): sends one auth
 * mail template with sample values, to check the SMTP settings and templates.
 */
import type { FastifyInstance } from 'fastify';
import { TEST_TEMPLATES, type AuthMails, type TestTemplate } from '../core/auth/auth-mails.js';
import type { AuthService } from '../core/auth/auth-service.js';
import { assertValidForm, formString, requiredEmail } from '../core/auth/auth-form.js';
import { badRequest, type ErrorData } from '../errors/app-error.js';
import { recordBody } from './record-body-input.js';
import { assertSuperuser } from './request-auth.js';
import { codeError } from '../errors/code-error.js';

/** Registers the test-email route. */
export function registerTestEmailRoute(app: FastifyInstance, deps: { auth: AuthService; mails: AuthMails }): void {
  app.post('/api/settings/test/email', async function sendTestEmail(request, reply) {
    assertSuperuser(request);
    const body = recordBody(request);
    const errors: ErrorData = {};
    const email = requiredEmail(body, 'email', errors);
    const template = formString(body.template);
    if (template === '') errors.template = codeError('validation_required');
    else if (!(TEST_TEMPLATES as readonly string[]).includes(template)) errors.template = codeError('validation_in_invalid');
    assertValidForm(errors);
    const c = deps.auth.authCollection(formString(body.collection) || '_superusers');
    try {
      await deps.mails.test(c, template as TestTemplate, email);
    } catch (err) {
      throw badRequest('Failed to send the test email.', {}, err);
    }
    return reply.code(204).send();
  });
}
