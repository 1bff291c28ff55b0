/**
 * One error vocabulary (issue 11): every error code the server can send is in the
 * registry (src/errors/error-codes.ts) with its default message, and every field error
 * is built by `codeError`, so a code cannot reach a client unregistered or reworded.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { codeError, fillTemplate } from '../src/errors/code-error.js';
import { ErrorBag } from '../src/errors/error-bag.js';
import { errorCodes } from '../src/errors/error-codes.js';
import { sourceFiles } from './helpers/source-files.js';

const ROOT = join(import.meta.dirname, '..');


interface Use {
  where: string;
  code: string;
}

/** A string that has the shape of an error code (`validation_…` or any other `word_word`). */
const CODE_SHAPE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/;

/**
 * Every error code written in src/: a `validation_…` string anywhere, the first argument
 * of `codeError(…)`, and the `code` of an object literal that also has a `message`; plus
 * each such object literal outside src/errors/, which should be a `codeError` call.
 */
function scan(): { uses: Use[]; handBuilt: string[] } {
  const uses: Use[] = [];
  const handBuilt: string[] = [];
  for (const path of sourceFiles(join(ROOT, 'src'))) {
    const file = relative(ROOT, path).split('\\').join('/');
    const tree = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const where = (node: ts.Node): string => `${file}:${tree.getLineAndCharacterOfPosition(node.getStart(tree)).line + 1}`;
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteralLike(node) && node.text.startsWith('validation_')) uses.push({ where: where(node), code: node.text });
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'codeError') {
        const first = node.arguments[0];
        if (first && ts.isStringLiteralLike(first)) uses.push({ where: where(node), code: first.text });
      }
      if (ts.isObjectLiteralExpression(node)) {
        const props = new Map(node.properties.filter(ts.isPropertyAssignment).map((p) => [p.name.getText(tree), p.initializer]));
        const code = props.get('code');
        if (code && ts.isStringLiteralLike(code) && props.has('message')) {
          if (CODE_SHAPE.test(code.text)) uses.push({ where: where(node), code: code.text });
          if (!file.startsWith('src/errors/')) handBuilt.push(where(node));
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(tree);
  }
  return { uses, handBuilt };
}

describe('the error code registry', () => {
  const { uses, handBuilt } = scan();

  it('finds the codes src/ uses (the scan works)', () => {
    expect(uses.length).toBeGreaterThan(100);
    expect(uses.some((u) => u.code === 'batch_request_failed')).toBe(true);
  });

  it('has every code used in src/', () => {
    const missing = uses.filter((u) => !Object.hasOwn(errorCodes, u.code)).map((u) => `${u.where} ${u.code}`);
    expect(missing, 'codes missing from src/errors/error-codes.ts').toEqual([]);
  });

  it('has no field error built by hand outside src/errors/ (use codeError)', () => {
    expect(handBuilt).toEqual([]);
  });

  it('gives every code a one-sentence default message', () => {
    for (const [code, message] of Object.entries(errorCodes)) {
      expect(message, code).toMatch(/^[A-Z'{].*\.$/);
    }
  });
});

describe('codeError', () => {
  it('fills the default message from the params and keeps them', () => {
    expect(codeError('validation_length_out_of_range', { min: 1, max: 5 })).toEqual({
      code: 'validation_length_out_of_range',
      message: 'The length must be between 1 and 5.',
      params: { min: 1, max: 5 },
    });
  });

  it('sends no params when there are none, and takes a message PocketBase words differently', () => {
    expect(codeError('validation_required')).toEqual({ code: 'validation_required', message: 'Cannot be blank.' });
    expect(codeError('validation_invalid_token', undefined, 'Invalid or expired verification token.')).toEqual({
      code: 'validation_invalid_token',
      message: 'Invalid or expired verification token.',
    });
  });

  it('renders a list as Go prints one and leaves unknown placeholders', () => {
    expect(fillTemplate('{a} {b} {c}', { a: ['x', 'y'], b: 2 })).toBe('[x y] 2 {c}');
    expect(fillTemplate('{toString}', {})).toBe('{toString}');
  });
});

describe('ErrorBag', () => {
  it('keeps the first error at a path or above it', () => {
    const bag = new ErrorBag();
    bag.set(['a', 'b'], codeError('validation_required'));
    bag.set(['a', 'b'], codeError('validation_invalid_value'));
    bag.set(['a'], codeError('validation_invalid_value'));
    bag.set('c', codeError('validation_invalid_value'));
    bag.set(['c', 'd'], codeError('validation_required'));
    bag.set('e', null);
    expect(bag.data).toEqual({ a: { b: { code: 'validation_required', message: 'Cannot be blank.' } }, c: { code: 'validation_invalid_value', message: 'Invalid value.' } });
    expect([bag.has('a'), bag.has('a', 'b'), bag.has('c', 'd'), bag.has('e')]).toEqual([true, true, true, false]);
  });

  it('is empty until something is set, and its result is then null', () => {
    const bag = new ErrorBag();
    expect([bag.isEmpty(), bag.result()]).toEqual([true, null]);
  });

  it('keeps a `__proto__` key as data, never as the prototype', () => {
    const bag = new ErrorBag();
    bag.set(['__proto__', 'polluted'], codeError('validation_required'));
    expect(Object.getPrototypeOf(bag.data)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(bag.data))).toEqual(JSON.parse('{"__proto__":{"polluted":{"code":"validation_required","message":"Cannot be blank."}}}'));
  });
});
