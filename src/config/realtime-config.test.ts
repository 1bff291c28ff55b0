/**
 * The realtime stream caps: `--maxRealtimeStreams` / PLINTH_MAX_REALTIME_STREAMS and
 * `--maxRealtimeStreamsPerIp` / PLINTH_MAX_REALTIME_STREAMS_PER_IP.
 */
import { describe, expect, it } from 'vitest';
import { helpText } from '../cli/help.js';
import { DEFAULT_REALTIME_LIMITS } from '../core/realtime/realtime-limits.js';
import { CONFIG_DEFAULTS } from './config.js';
import { loadConfig } from './load-config.js';

describe('realtime stream caps', () => {
  it.each([
    [{ maxRealtimeStreams: '50000', maxRealtimeStreamsPerIp: '20' }, {}, 50_000, 20],
    [{}, { PLINTH_MAX_REALTIME_STREAMS: '1000', PLINTH_MAX_REALTIME_STREAMS_PER_IP: ' 7 ' }, 1000, 7],
    [{ maxRealtimeStreamsPerIp: '3' }, { PLINTH_MAX_REALTIME_STREAMS_PER_IP: '9' }, undefined, 3],
    [{}, {}, undefined, undefined],
  ])('%j %j → %s, %s', (flags, env, total, perIp) => {
    const config = loadConfig(flags, env, '/tmp');
    expect(config.maxRealtimeStreams).toBe(total);
    expect(config.maxRealtimeStreamsPerIp).toBe(perIp);
  });

  it.each([
    [{ maxRealtimeStreams: '0' }, {}, '--maxRealtimeStreams'],
    [{ maxRealtimeStreams: '-5' }, {}, '--maxRealtimeStreams'],
    [{ maxRealtimeStreams: '1e4' }, {}, '--maxRealtimeStreams'],
    [{ maxRealtimeStreams: '20000000' }, {}, '--maxRealtimeStreams'],
    [{ maxRealtimeStreamsPerIp: 'many' }, {}, '--maxRealtimeStreamsPerIp'],
    [{ maxRealtimeStreamsPerIp: '2.5' }, {}, '--maxRealtimeStreamsPerIp'],
    [{}, { PLINTH_MAX_REALTIME_STREAMS_PER_IP: '0' }, 'PLINTH_MAX_REALTIME_STREAMS_PER_IP'],
  ])('%j %j is refused naming %s', (flags, env, source) => {
    expect(() => loadConfig(flags, env, '/tmp')).toThrow(source);
  });

  it('documents both flags with their defaults, which are the hub defaults', () => {
    expect(CONFIG_DEFAULTS.maxRealtimeStreams).toBe(DEFAULT_REALTIME_LIMITS.maxStreams);
    expect(CONFIG_DEFAULTS.maxRealtimeStreamsPerIp).toBe(DEFAULT_REALTIME_LIMITS.maxStreamsPerIp);
    const help = helpText('serve');
    expect(help).toContain(`--maxRealtimeStreams=N`);
    expect(help).toContain(`(default ${CONFIG_DEFAULTS.maxRealtimeStreams}, env PLINTH_MAX_REALTIME_STREAMS)`);
    expect(help).toContain(`(default ${CONFIG_DEFAULTS.maxRealtimeStreamsPerIp}, env PLINTH_MAX_REALTIME_STREAMS_PER_IP)`);
  });
});
