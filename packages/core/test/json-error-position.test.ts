import assert from 'node:assert/strict';
import { jsonErrorPosition } from '../src/http/json-error-position.js';

describe('newcomer INVALID_JSON position', () => {
  const cases: [string, string, { position: number; line: number; column: number }][] = [
    ['a value missing after a colon', '{"a":}', { position: 5, line: 1, column: 6 }],
    ['a body that ends early', '{"a":1', { position: 6, line: 1, column: 7 }],
    ['a missing colon on the third line', '{\n  "a": 1,\n  "b" 2}', { position: 18, line: 3, column: 7 }],
    ['a trailing comma', '[1,2,]', { position: 5, line: 1, column: 6 }],
    ['a control character inside a string', '{"a":"x\u0001"}', { position: 7, line: 1, column: 8 }],
    ['text after the value', '{"a":1} x', { position: 8, line: 1, column: 9 }],
    ['a misspelt literal deep inside', '{"a":[1,{"b":tru}]}', { position: 13, line: 1, column: 14 }],
    ['a bare word', 'nope', { position: 0, line: 1, column: 1 }],
  ];
  for (const [what, text, expected] of cases) {
    it(`${what}: ${JSON.stringify(text)}`, () => {
      assert.throws(() => JSON.parse(text));
      assert.deepEqual(jsonErrorPosition(text), expected);
    });
  }

  it('100 000 open brackets are read without recursion: the error is at the end', () => {
    assert.deepEqual(jsonErrorPosition('['.repeat(100_000)), { position: 100_000, line: 1, column: 100_001 });
  });
});
