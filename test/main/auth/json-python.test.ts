import { describe, it, expect } from 'vitest';
import {
  PythonFloat,
  PythonJsonError,
  dumpsPythonJson,
  dumpsPythonJsonDetailed,
  orderedKeys,
  parsePythonJson,
  parsePythonJsonDetailed,
  pythonFloatRepr,
  pythonJsonString,
} from '../../../main/auth/json-python';

// Expected texts were produced by CPython's json.dumps(json.loads(doc), indent=4) and json.dumps(...).
describe('Python-compatible JSON', () => {
  it('round-trips numbers with Python spellings', () => {
    const doc =
      '{"a": [1.0, 1e16, 1.5e-5, -0.0, 0.1, 123456789.123, 1e-7, 5e-324, 1.7976931348623157e308, ' +
      '12345678901234567890, -12, 0, 1E2, 2.5e+3, NaN, Infinity, -Infinity, 1e400]}';
    const value = parsePythonJson(doc);
    expect(dumpsPythonJson(value)).toBe(
      '{"a": [1.0, 1e+16, 1.5e-05, -0.0, 0.1, 123456789.123, 1e-07, 5e-324, 1.7976931348623157e+308, ' +
        '12345678901234567890, -12, 0, 100.0, 2500.0, NaN, Infinity, -Infinity, Infinity]}',
    );
    expect(dumpsPythonJson(value, 4)).toBe(
      '{\n    "a": [\n        1.0,\n        1e+16,\n        1.5e-05,\n        -0.0,\n        0.1,\n        123456789.123,\n' +
        '        1e-07,\n        5e-324,\n        1.7976931348623157e+308,\n        12345678901234567890,\n        -12,\n' +
        '        0,\n        100.0,\n        2500.0,\n        NaN,\n        Infinity,\n        -Infinity,\n        Infinity\n    ]\n}',
    );
  });

  it('keeps key order (integer-like keys too), escapes like ensure_ascii, and writes empty containers inline', () => {
    const doc = '{"\\u0000\\u001f\\u007f\\u0080\\ud800 \\udc00x\\t\\"/": {}, "b": [], "c": [[], {}], "10": true, "2": false, "x": null}';
    const value = parsePythonJson(doc);
    expect(dumpsPythonJson(value)).toBe(doc);
    expect(dumpsPythonJson(value, 4)).toBe(
      '{\n    "\\u0000\\u001f\\u007f\\u0080\\ud800 \\udc00x\\t\\"/": {},\n    "b": [],\n    "c": [\n        [],\n' +
        '        {}\n    ],\n    "10": true,\n    "2": false,\n    "x": null\n}',
    );
  });

  it('keeps a duplicate key at its first position with the last value', () => {
    expect(dumpsPythonJson(parsePythonJson('{"a": 1, "b": 2, "a": 3}'))).toBe('{"a": 3, "b": 2}');
  });

  it('keeps "__proto__" as an ordinary key', () => {
    const value = parsePythonJson('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(dumpsPythonJson(value)).toBe('{"__proto__": {"polluted": true}}');
  });

  it('spells floats like repr()', () => {
    expect([1, 0.5, 1e16, 1234567890123456, 1e-5, 0.0001, -2.5e-300].map(pythonFloatRepr)).toEqual([
      '1.0', '0.5', '1e+16', '1234567890123456.0', '1e-05', '0.0001', '-2.5e-300',
    ]);
    expect(dumpsPythonJson([new PythonFloat(3), 3, 3.25, 10n ** 30n])).toBe('[3.0, 3, 3.25, 1000000000000000000000000000000]');
  });

  it('escapes astral characters as surrogate pairs and leaves "/" alone', () => {
    expect(pythonJsonString('Jöhn 😀 a/b')).toBe('"J\\u00f6hn \\ud83d\\ude00 a/b"');
  });

  it('rejects what json.loads rejects, without quoting the input', () => {
    for (const bad of ['', ' ', '{', '[1,]', '{"a" 1}', '{a: 1}', '01', '1.', '"\t"', '"\\x"', '"\\u12"', '\ufeff{}', '{} x', 'nul']) {
      expect(() => parsePythonJson(bad), bad).toThrow(PythonJsonError);
    }
    expect(() => parsePythonJson('"secret-value')).toThrow(/^Unterminated string at character \d+\.$/);
    expect(() => parsePythonJson('['.repeat(2000))).toThrow(PythonJsonError);
  });

  it('refuses circular structures', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(() => dumpsPythonJson(a)).toThrow(PythonJsonError);
  });
});

// Plain objects as Maps: the exact writer, whatever the value, to compare the native one against.
function asMaps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asMaps);
  if (value !== null && typeof value === 'object' && !(value instanceof PythonFloat) && !(value instanceof Map)) {
    return new Map(orderedKeys(value).map((k) => [k, asMaps((value as Record<string, unknown>)[k])]));
  }
  return value;
}

describe('the JSON.parse fast path', () => {
  const roundTrip = (doc: string): string => dumpsPythonJson(parsePythonJson(doc));

  it('takes JSON.parse for strings, objects, arrays, literals and plain numbers', () => {
    for (const doc of [
      '{"AccessToken": {"k-1": {"secret": "s", "expires_on": "4600"}}, "Account": {}}',
      '{"a": [1, -2, 0.5, 123.25, 1e400, true, false, null], "b": {"c": []}}',
      '{"a": "1.0 1e5 -0 9007199254740993", "0a": "digits inside strings and keys are fine", "-1": "x"}',
      '{"a": "J\\u00f6hn \\ud83d\\ude00 \\/ \\u2028"}',
    ]) {
      expect(parsePythonJsonDetailed(doc).parser, doc).toBe('native');
      expect(roundTrip(doc), doc).toBe(dumpsPythonJson(asMaps(parsePythonJson(doc))));
    }
  });

  // Expected texts: CPython's json.dumps(json.loads(doc)).
  it('leaves whole floats, -0, big integers, NaN and integer-like keys to the exact parser', () => {
    const cases: [string, string][] = [
      ['{"a": 1.0}', '{"a": 1.0}'],
      ['{"a": 1e5}', '{"a": 100000.0}'],
      ['{"a": -0.0}', '{"a": -0.0}'],
      ['{"a": -0}', '{"a": 0}'],
      ['{"a": 9007199254740993}', '{"a": 9007199254740993}'],
      ['{"a": [1, 2.50, 2E0]}', '{"a": [1, 2.5, 2.0]}'],
      ['{"a": NaN}', '{"a": NaN}'],
      ['{"b": "x", "123": "y", "c": {"4294967294": 1, "0": 2}}', '{"b": "x", "123": "y", "c": {"4294967294": 1, "0": 2}}'],
    ];
    for (const [doc, python] of cases) {
      expect(parsePythonJsonDetailed(doc).parser, doc).toBe('exact');
      expect(roundTrip(doc), doc).toBe(python);
    }
    expect(parsePythonJsonDetailed('{"a": 9007199254740993}').value).toEqual({ a: 9007199254740993n });
    // 4294967295 is no array index, so JavaScript keeps it in place too.
    expect(parsePythonJsonDetailed('{"b": "x", "4294967295": "y"}').parser).toBe('native');
  });

  it('keeps duplicate keys and lone surrogates exactly, as JSON.parse does by the standard', () => {
    // ECMA-262 JSON.parse: a repeated key keeps its first position and takes the last value, like a Python dict.
    expect(roundTrip('{"a": "1", "b": "2", "a": "3"}')).toBe('{"a": "3", "b": "2"}');
    expect(roundTrip('{"a": {"x": "1"}, "a": {"y": "2"}}')).toBe('{"a": {"y": "2"}}');
    expect(roundTrip('{"__proto__": "1", "__proto__": "2"}')).toBe('{"__proto__": "2"}');
    expect(roundTrip('{"s": "\\ud800", "t": "\\udc00\\ud800x"}')).toBe('{"s": "\\ud800", "t": "\\udc00\\ud800x"}');
    expect(roundTrip('{"raw": "a\ud800b"}')).toBe('{"raw": "a\\ud800b"}');
  });

  it('refuses nesting beyond the exact parser\'s limit, with its error', () => {
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
    expect(parsePythonJsonDetailed(deep(1001)).parser).toBe('native');
    expect(() => parsePythonJson(deep(1002))).toThrow(/^Nesting too deep at character 1001\.$/);
    expect(() => parsePythonJson(`${'{"a": '.repeat(1001)}"x"${'}'.repeat(1001)}`)).toThrow(PythonJsonError);
  });

  it('reports malformed text with the exact parser\'s message', () => {
    expect(() => parsePythonJson('{"a": 1,}')).toThrow(/^Expecting property name enclosed in double quotes at character 8\.$/);
  });
});

describe('the JSON.stringify fast path', () => {
  const tricky = {
    ascii: 'plain / "quoted" \\ back',
    controls: '\u0000\u0001\b\t\n\f\r\u001f',
    latin: 'Jöhn Dœ \u007f \u0080 \u00ff',
    astral: '😀 𝄞',
    surrogates: '\ud800 x \udc00 \udbff\udfff',
    separators: '\u2028\u2029\ufeff\uffff',
    numbers: [0, -0, 1, -42, 9007199254740991, 0.5, 0.0001, 123.456, -1.25e-3, 1234567890123.5],
    literals: [true, false, null],
    empty: { o: {}, a: [], s: '' },
    nested: [[[]], [{}], { deeper: { x: ['y'] } }],
    __proto__: 'just a key',
  };

  it('writes what the exact writer writes, non-ASCII escaped', () => {
    const value = JSON.parse(JSON.stringify(tricky)) as unknown;
    const native = dumpsPythonJsonDetailed(value, 4);
    expect(native.writer).toBe('native');
    expect(native.text).toBe(dumpsPythonJson(asMaps(value), 4));
    expect(native.text).toMatch(/^[\x20-\x7e\n]*$/);
    for (const indent of [1, 2, 10]) expect(dumpsPythonJson(value, indent)).toBe(dumpsPythonJson(asMaps(value), indent));
  });

  it('leaves other values and layouts to the exact writer', () => {
    const exact = (value: unknown, indent?: number): void => {
      const out = dumpsPythonJsonDetailed(value, indent);
      expect(out.writer).toBe('exact');
      expect(out.text).toBe(dumpsPythonJson(asMaps(value), indent));
    };
    for (const value of [
      { a: new PythonFloat(1) }, { a: 10n ** 20n }, { a: 1e-5 }, { a: 1e21 }, { a: 2 ** 53 }, { a: Number.NaN },
      { a: new Map([['k', 'v']]) }, { b: 'x', 2: 'y' }, parsePythonJson('{"b": "x", "1": "y"}'),
    ]) {
      exact(value, 4);
    }
    exact({ a: 'b' });
    exact({ a: 'b' }, 0);
    exact({ a: ['b'] }, 11);
    expect(dumpsPythonJson(parsePythonJson('{"b": "x", "1": "y"}'), 4)).toBe('{\n    "b": "x",\n    "1": "y"\n}');
  });

  it('still refuses what the exact writer refuses', () => {
    const a: Record<string, unknown> = {};
    a['self'] = a;
    expect(() => dumpsPythonJson(a, 4)).toThrow(PythonJsonError);
    expect(() => dumpsPythonJson({ f: () => 1 }, 4)).toThrow(PythonJsonError);
    expect(() => dumpsPythonJson({ s: Symbol('x') }, 4)).toThrow(PythonJsonError);
  });
});
