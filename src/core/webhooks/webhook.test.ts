import { describe, expect, it } from 'vitest';
import type { Schema } from '../collections/schema.js';
import type { Collection } from '../collections/collection.js';
import { customTypeError, parseEventPattern, patternTakesCustom, patternTakesRecord } from './webhook.js';

const orders = { id: 'pbc_1', name: 'orders' } as Collection;
const schema: Schema = { find: (n) => (n === 'orders' || n === 'pbc_1' ? orders : undefined), all: () => [orders], version: 1 };

describe('event patterns', () => {
  it.each([
    ['*', { kind: 'all' }],
    ['orders.create', { kind: 'record', collection: 'orders', action: 'create' }],
    ['pbc_1.update', { kind: 'record', collection: 'pbc_1', action: 'update' }],
    ['orders.*', { kind: 'record', collection: 'orders', action: '*' }],
    ['*.delete', { kind: 'record', collection: '*', action: 'delete' }],
    ['invoice.sent', { kind: 'custom', type: 'invoice.sent' }],
    ['shop.order-shipped.v2', { kind: 'custom', type: 'shop.order-shipped.v2' }],
    ['ping', { kind: 'custom', type: 'ping' }],
  ])('parses %s', (text, expected) => {
    expect(parseEventPattern(text, schema)).toEqual(expected);
  });

  it.each(['', 'nope.create', '*.created', 'a.*.b', 'a..b', '.a', 'a b', 'a/b', 'x'.repeat(101), 'ü.create'])('refuses %j', (text) => {
    expect(typeof parseEventPattern(text, schema)).toBe('string');
  });

  it('matches record events by collection name or id and action', () => {
    const names: [string, string] = ['orders', 'pbc_1'];
    const take = (text: string, action: 'create' | 'update' | 'delete') => patternTakesRecord(parseEventPattern(text, schema) as never, names, action);
    expect(take('orders.create', 'create')).toBe(true);
    expect(take('orders.create', 'update')).toBe(false);
    expect(take('pbc_1.*', 'delete')).toBe(true);
    expect(take('*.delete', 'delete')).toBe(true);
    expect(take('*', 'update')).toBe(true);
    expect(take('invoice.sent', 'create')).toBe(false);
    // Plinth's own collections only by name.
    const otps: [string, string] = ['_otps', 'pbc_9'];
    expect(patternTakesRecord(parseEventPattern('*') as never, otps, 'create')).toBe(false);
    expect(patternTakesRecord(parseEventPattern('*.create') as never, otps, 'create')).toBe(false);
    expect(patternTakesRecord(parseEventPattern('_otps.create') as never, otps, 'create')).toBe(true);
    expect(patternTakesCustom(parseEventPattern('invoice.sent') as never, 'invoice.sent')).toBe(true);
    expect(patternTakesCustom(parseEventPattern('*.create') as never, 'invoice.sent')).toBe(false);
  });

  it('refuses custom types shaped like record events', () => {
    expect(customTypeError('invoice.sent')).toBeNull();
    expect(customTypeError('orders.create')).not.toBeNull();
    expect(customTypeError('a.*')).not.toBeNull();
    expect(customTypeError('*')).not.toBeNull();
  });
});
