import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KqlSyntaxError, parseKql } from './parse-kql.js';
import { isSluiceError } from '../../errors.js';
import type { KqlNode } from './ast.js';

const lit = (text: string, column: number) => ({ kind: 'literal', text, column }) as const;

test('empty, whitespace and * match everything', () => {
  assert.deepEqual(parseKql(''), { kind: 'all' });
  assert.deepEqual(parseKql('  \t\n '), { kind: 'all' });
  assert.deepEqual(parseKql(' * '), { kind: 'all' });
});

test('field: value, phrase with escapes, wildcard, exists', () => {
  assert.deepEqual(parseKql('source.port: 80'), { kind: 'match', field: 'source.port', value: lit('80', 14), position: 1 });
  assert.deepEqual(parseKql('url.original: "a \\"b\\" \\\\ c"'), {
    kind: 'match', field: 'url.original', value: { kind: 'phrase', text: 'a "b" \\ c', column: 15 }, position: 1,
  });
  assert.deepEqual(parseKql('dns.question.name: *.example.com'), {
    kind: 'match', field: 'dns.question.name', value: { kind: 'wildcard', text: '*.example.com', column: 20 }, position: 1,
  });
  assert.deepEqual(parseKql('a: b?c'), { kind: 'match', field: 'a', value: { kind: 'wildcard', text: 'b?c', column: 4 }, position: 1 });
  assert.deepEqual(parseKql('source.ip: *'), { kind: 'exists', field: 'source.ip', position: 1 });
  assert.deepEqual(parseKql('a: "*"'), { kind: 'match', field: 'a', value: { kind: 'phrase', text: '*', column: 4 }, position: 1 });
});

test('escaped specials in unquoted values; an escaped star is not a wildcard', () => {
  assert.deepEqual(parseKql('a: x\\*y'), { kind: 'match', field: 'a', value: lit('x*y', 4), position: 1 });
  assert.deepEqual(parseKql('a: x\\*y*'), { kind: 'match', field: 'a', value: { kind: 'wildcard', text: 'x\\*y*', column: 4 }, position: 1 });
  assert.deepEqual(parseKql('a: \\(x\\)\\:\\<\\>\\"\\\\'), { kind: 'match', field: 'a', value: lit('(x):<>"\\', 4), position: 1 });
  assert.deepEqual(parseKql('a\\:b: c'), { kind: 'match', field: 'a:b', value: lit('c', 7), position: 1 });
});

test('unquoted values keep colons (IPv6, timestamps) and end at whitespace and parentheses', () => {
  assert.deepEqual(parseKql('ip: 2001:db8::/32'), { kind: 'match', field: 'ip', value: lit('2001:db8::/32', 5), position: 1 });
  assert.deepEqual(parseKql('(@timestamp >= 2024-01-01T12:00:00Z)'), {
    kind: 'range', field: '@timestamp', op: 'gte', value: lit('2024-01-01T12:00:00Z', 16), position: 2,
  });
});

test('ranges', () => {
  const ops: [string, string][] = [['>', 'gt'], ['>=', 'gte'], ['<', 'lt'], ['<=', 'lte']];
  for (const [sym, op] of ops) {
    assert.deepEqual(parseKql(`destination.port ${sym} 1024`), {
      kind: 'range', field: 'destination.port', op, value: lit('1024', 19 + sym.length), position: 1,
    } as KqlNode);
  }
  assert.deepEqual(parseKql('x>=5'), { kind: 'range', field: 'x', op: 'gte', value: lit('5', 4), position: 1 });
  assert.deepEqual(parseKql('@timestamp < "2024-01-01"'), {
    kind: 'range', field: '@timestamp', op: 'lt', value: { kind: 'phrase', text: '2024-01-01', column: 14 }, position: 1,
  });
});

test('precedence: not > and > or; keywords are case-insensitive', () => {
  const a = { kind: 'match', field: 'a', value: lit('1', 4), position: 1 } as const;
  const b = { kind: 'match', field: 'b', value: lit('2', 12), position: 9 } as const;
  const c = { kind: 'match', field: 'c', value: lit('3', 21), position: 18 } as const;
  assert.deepEqual(parseKql('a: 1 OR b: 2 And c: 3'), { kind: 'or', children: [a, { kind: 'and', children: [b, c] }] });
  const b2 = { kind: 'match', field: 'b', value: lit('2', 21), position: 18 } as const;
  assert.deepEqual(parseKql('NOT a: 1 and not b: 2'), {
    kind: 'and', children: [{ kind: 'not', child: { ...a, value: lit('1', 8), position: 5 } }, { kind: 'not', child: b2 }],
  });
  assert.deepEqual(parseKql('(a: 1 or b: 2) and c: 3'), {
    kind: 'and',
    children: [
      { kind: 'or', children: [{ ...a, value: lit('1', 5), position: 2 }, { ...b, value: lit('2', 13), position: 10 }] },
      { ...c, value: lit('3', 23), position: 20 },
    ],
  });
  assert.deepEqual(parseKql('not not a: 1'), { kind: 'not', child: { kind: 'not', child: { ...a, value: lit('1', 12), position: 9 } } });
});

test('value lists', () => {
  assert.deepEqual(parseKql('port: (80 or 443 or 8080)'), {
    kind: 'or',
    children: [
      { kind: 'match', field: 'port', value: lit('80', 8), position: 1 },
      { kind: 'match', field: 'port', value: lit('443', 14), position: 1 },
      { kind: 'match', field: 'port', value: lit('8080', 21), position: 1 },
    ],
  });
  assert.deepEqual(parseKql('f: (a and not "b c")'), {
    kind: 'and',
    children: [
      { kind: 'match', field: 'f', value: lit('a', 5), position: 1 },
      { kind: 'not', child: { kind: 'match', field: 'f', value: { kind: 'phrase', text: 'b c', column: 15 }, position: 1 } },
    ],
  });
  assert.deepEqual(parseKql('f: (a or (b and c*))'), {
    kind: 'or',
    children: [
      { kind: 'match', field: 'f', value: lit('a', 5), position: 1 },
      { kind: 'and', children: [
        { kind: 'match', field: 'f', value: lit('b', 11), position: 1 },
        { kind: 'match', field: 'f', value: { kind: 'wildcard', text: 'c*', column: 17 }, position: 1 },
      ] },
    ],
  });
});

test('free text', () => {
  assert.deepEqual(parseKql('google.de'), { kind: 'text', value: lit('google.de', 1) });
  assert.deepEqual(parseKql('"a b"'), { kind: 'text', value: { kind: 'phrase', text: 'a b', column: 1 } });
  assert.deepEqual(parseKql('*.example.com or x'), {
    kind: 'or', children: [{ kind: 'text', value: { kind: 'wildcard', text: '*.example.com', column: 1 } }, { kind: 'text', value: lit('x', 18) }],
  });
  // Keywords used as field names.
  assert.deepEqual(parseKql('and: 1'), { kind: 'match', field: 'and', value: lit('1', 6), position: 1 });
});

test('columns count code points', () => {
  assert.deepEqual(parseKql('"🙂" or x'), {
    kind: 'or', children: [{ kind: 'text', value: { kind: 'phrase', text: '🙂', column: 1 } }, { kind: 'text', value: lit('x', 8) }],
  });
});

function syntaxError(q: string, column: number, message: string): void {
  assert.throws(() => parseKql(q), (err: unknown) => {
    assert.ok(err instanceof KqlSyntaxError, `${q}: ${String(err)}`);
    assert.ok(isSluiceError(err, 'SLUICE_QUERY_SYNTAX'));
    assert.equal(err.stage, 'usage');
    assert.equal(err.column, column, `${q}: ${err.message}`);
    assert.equal(err.message, message);
    return true;
  });
}

test('syntax errors name the column and what was expected', () => {
  syntaxError('destination.port:', 18, 'query: column 18: expected a value after "destination.port:" but found the end of the query');
  syntaxError('destination.port: ', 19, 'query: column 19: expected a value after "destination.port:" but found the end of the query');
  syntaxError('a: 1 and', 9, 'query: column 9: expected a query after "and" but found the end of the query');
  syntaxError('a: 1 or', 8, 'query: column 8: expected a query after "or" but found the end of the query');
  syntaxError('not', 4, 'query: column 4: expected a query after "not" but found the end of the query');
  syntaxError('(a: 1', 6, 'query: column 6: expected "and", "or" or ")" but found the end of the query');
  syntaxError('a: 1)', 5, 'query: column 5: expected "and", "or" or the end of the query but found ")"');
  syntaxError('a: 1 b: 2', 6, 'query: column 6: expected "and", "or" or the end of the query but found "b"');
  syntaxError('a: "open', 9, `query: column 9: expected a closing '"' for the phrase that starts at column 4 but found the end of the query`);
  syntaxError('a: b\\', 6, 'query: column 6: expected a character after "\\" but found the end of the query');
  syntaxError('>= 5', 1, 'query: column 1: expected a field, a value or "(" but found ">"');
  syntaxError(': 5', 1, 'query: column 1: expected a field, a value or "(" but found ":"');
  syntaxError('x >= ', 6, 'query: column 6: expected a number or a date after "x >=" but found the end of the query');
  syntaxError('x > 1*', 5, 'query: column 5: expected a number or a date after "x >" but found the wildcard value "1*"');
  syntaxError('()', 2, 'query: column 2: expected a query inside "( )" but found ")"');
  syntaxError('f: ()', 5, 'query: column 5: expected a value inside "f: ( )" but found ")"');
  syntaxError('f: (a or)', 9, 'query: column 9: expected a value after "or" in the value list of "f" but found ")"');
  syntaxError('f: (a b)', 7, 'query: column 7: expected "and", "or" or ")" in the value list of "f" but found "b"');
  syntaxError('a and or b', 7, 'query: column 7: expected a field, a value or "(" but found "or"');
});
