import { describe, expect, it } from 'vitest';
import { encodeQuery, normalizeHttpUrl, readUrlParams } from './url-params.js';

describe('URL helpers (no reliance on URL/URLSearchParams)', () => {
  it('encodes a query, leaving out empty values', () => {
    expect(encodeQuery({ a: 1, b: undefined, c: null, 'd e': 'x&y=z', f: true })).toBe(
      'a=1&d%20e=x%26y%3Dz&f=true',
    );
  });

  it('reads query and fragment parameters, the query winning', () => {
    const params = readUrlParams(
      'myapp://auth/callback?code=abc%2F1&state=s#code=other&error_description=a+b',
    );
    expect(params.get('code')).toBe('abc/1');
    expect(params.get('state')).toBe('s');
    expect(params.get('error_description')).toBe('a b');
    expect(readUrlParams('https://x.test/').size).toBe(0);
    expect(readUrlParams('https://x.test/?bad=%E0%A4%A').get('bad')).toBe('%E0%A4%A');
  });

  it('normalizes http(s) base URLs and rejects the rest', () => {
    expect(normalizeHttpUrl('HTTP://localhost:8090/')).toBe('http://localhost:8090');
    expect(normalizeHttpUrl('https://api.example.com/hearth//')).toBe('https://api.example.com/hearth');
    for (const bad of ['localhost:8090', 'ftp://x', 'http://', 'https://x.test/?q=1', '/api']) {
      expect(normalizeHttpUrl(bad)).toBeUndefined();
    }
  });
});
