import { describe, expect, it } from 'vitest';
import { collectionRoute, findRateLimitRule, rateLimitLabels } from './rate-limit-labels.js';
import type { RateLimitRule } from '../core/settings/settings.js';

describe('collectionRoute', () => {
  it.each([
    ['GET', '/api/collections/:collection/records', 'collection', ['list']],
    ['HEAD', '/api/collections/:c/records/:id', 'c', ['view']],
    ['PATCH', '/api/collections/:collection/records/:id', 'collection', ['update']],
    ['POST', '/api/collections/:collection/auth-with-password', 'collection', ['authWithPassword', 'auth']],
    ['POST', '/api/collections/:collection/confirm-email-change', 'collection', ['confirmEmailChange']],
    ['GET', '/api/files/:collection/:recordId/:filename', 'collection', ['file']],
  ])('%s %s', (method, pattern, param, actions) => {
    expect(collectionRoute(method, pattern)).toEqual({ param, actions });
  });

  it.each([
    ['GET', '/api/health'],
    ['POST', '/api/collections'],
    ['PUT', '/api/collections/:collection/records'],
    ['GET', '/api/collections/:collection/auth-with-password'],
    ['GET', undefined],
  ])('%s %s is no collection route', (method, pattern) => expect(collectionRoute(method, pattern)).toBeNull());
});

describe('findRateLimitRule', () => {
  const rule = (label: string, audience: RateLimitRule['audience'] = '', maxRequests = 1): RateLimitRule => ({ label, audience, duration: 1, maxRequests });
  const labels = rateLimitLabels('POST', '/api/collections/posts/records', 'posts', ['create']);

  it('lists labels most specific first', () => {
    expect(labels).toEqual(['posts:create', '*:create', 'POST /api/collections/posts/records', '/api/collections/posts/records']);
  });

  it.each([
    ['exact name:action', [rule('/api/'), rule('*:create'), rule('posts:create')], 'posts:create'],
    ['wildcard action', [rule('/api/'), rule('*:create')], '*:create'],
    ['method and path', [rule('/api/'), rule('POST /api/collections/posts/records')], 'POST /api/collections/posts/records'],
    ['method prefix', [rule('/api/'), rule('POST /api/')], 'POST /api/'],
    ['longest prefix', [rule('/api/'), rule('/api/collections/')], '/api/collections/'],
    ['the path itself as a prefix', [rule('/api/collections/posts/records/')], '/api/collections/posts/records/'],
    ['other audience skipped', [rule('posts:create', '@auth'), rule('/api/', '@guest')], '/api/'],
    ['nothing', [rule('*:list'), rule('/api/files/')], undefined],
  ])('%s', (_name, rules, expected) => {
    expect(findRateLimitRule(rules, labels, ['', '@guest'])?.label).toBe(expected);
  });
});
