import { describe, expect, it } from 'vitest';
import { decodeEncodedWords, parseMessage } from './mime.js';

describe('MIME reader', () => {
  it('joins adjacent encoded words even when a character is split between them', () => {
    // "é" is C3 A9 in UTF-8; here its two bytes sit in two encoded words.
    expect(decodeEncodedWords('=?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9_ok?=')).toBe('café ok');
    expect(decodeEncodedWords('Re: =?ISO-8859-1?B?aOls?= there')).toBe('Re: hél there');
  });

  it('unfolds headers and reads a quoted-printable part inside nested multiparts', () => {
    const raw = [
      'Subject: =?UTF-8?B?SGVsbG8g?=',
      ' =?UTF-8?B?V8O2cmxk?=',
      'Content-Type: multipart/mixed; boundary="outer"',
      '',
      'preamble',
      '--outer',
      'Content-Type: multipart/alternative; boundary=inner',
      '',
      '--inner',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'soft =',
      'break W=C3=B6rld',
      '--inner',
      'Content-Type: text/html; charset="utf-8"',
      '',
      '<b>hi</b>',
      '--inner--',
      '--outer--',
      '',
    ].join('\r\n');
    const parsed = parseMessage(raw);
    expect(parsed.headers.get('subject')).toEqual(['Hello Wörld']);
    expect(parsed.text).toBe('soft break Wörld');
    expect(parsed.html).toBe('<b>hi</b>');
  });
});
