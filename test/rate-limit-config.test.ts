/**
 * The configuration of abuse resistance: `--trustedProxy` / PLINTH_TRUSTED_PROXY and
 * `--requestTimeout` / PLINTH_REQUEST_TIMEOUT.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load-config.js';
import { fastifyOptions } from '../src/http/http-conventions.js';

describe('trusted proxies and request timeout', () => {
  it.each([
    [{ trustedProxy: '10.0.0.1, 10.0.0.0/8,::1' }, {}, ['10.0.0.1', '10.0.0.0/8', '::1']],
    [{}, { PLINTH_TRUSTED_PROXY: '172.16.0.0/12' }, ['172.16.0.0/12']],
    [{ trustedProxy: '*' }, { PLINTH_TRUSTED_PROXY: '10.0.0.1' }, ['*']],
    [{}, {}, undefined],
  ])('%j %j → %j', (flags, env, expected) => {
    expect(loadConfig(flags, env, '/tmp').trustedProxies).toEqual(expected);
  });

  it.each([
    [{ trustedProxy: 'proxy.local' }, '--trustedProxy'],
    [{ trustedProxy: '10.0.0.0/40' }, '--trustedProxy'],
    [{ trustedProxy: '*,10.0.0.1' }, '--trustedProxy'],
    [{ requestTimeout: '0' }, '--requestTimeout'],
  ])('%j is refused naming %s', (flags, source) => {
    expect(() => loadConfig(flags, {}, '/tmp')).toThrow(source);
  });

  it('sets the server request timeout in seconds', () => {
    expect(loadConfig({ requestTimeout: '90' }, {}, '/tmp').requestTimeout).toBe(90);
    expect(fastifyOptions({ requestTimeout: 90 }).requestTimeout).toBe(90_000);
    expect(fastifyOptions({}).requestTimeout).toBe(300_000);
  });
});
