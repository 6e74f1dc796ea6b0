import { describe, it, expect } from 'vitest';
import {
  PythonFloat,
  PythonJsonError,
  dumpsPythonJson,
  parsePythonJson,
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
