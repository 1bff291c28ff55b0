import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it.each([
    ['/api/files/c/r/f.png?token=abc', '/api/files/c/r/f.png?token=[REDACTED]'],
    ['/x?password=p&passwordConfirm=p&page=2', '/x?password=[REDACTED]&passwordConfirm=[REDACTED]&page=2'],
    ['/api/oauth2-redirect?code=c0de&state=s1', '/api/oauth2-redirect?code=[REDACTED]&state=[REDACTED]'],
    ['/x?client_secret=1&api_key=2&X-Amz-Signature=3&postcode=1000', '/x?client_secret=[REDACTED]&api_key=[REDACTED]&X-Amz-Signature=[REDACTED]&postcode=1000'],
    ['/x?%74oken=abc', '/x?%74oken=[REDACTED]'],
    ['/x?filter=a%3D1&flag', '/x?filter=a%3D1&flag'],
    ['/x', '/x'],
  ])('%s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
