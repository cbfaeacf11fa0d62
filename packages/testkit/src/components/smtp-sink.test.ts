import { describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { useSmtpSink } from './use-components.js';

describe('SMTP sink', () => {
  const sink = useSmtpSink();

  it('captures what nodemailer sends: non-ASCII subject, text and HTML bodies', async () => {
    const { host, port } = sink();
    expect(sink().env()).toEqual({ HEARTH_SMTP_URL: `smtp://127.0.0.1:${port}` });
    const transport = nodemailer.createTransport({
      host,
      port,
      secure: false,
      auth: { user: 'hearth', pass: 'x' },
    });
    const link = 'http://127.0.0.1:8090/verify?token=abc&next=%2F';
    const subject =
      'Vérifiez votre adresse — 確認 ✉️ with a long tail to force folding of the encoded header line';
    await transport.sendMail({
      from: '"Hearth Ünïcode" <noreply@hearth.test>',
      to: 'alice@example.test',
      bcc: 'audit@example.test',
      subject,
      text: `Bonjour Zoë,\n\nOpen ${link} to verify. ${'long line '.repeat(20)}\n`,
      html: `<p>Bonjour Zoë, <a href="${link.replace('&', '&amp;')}">vérifier</a></p>`,
    });
    transport.close();

    const mail = await sink().waitForMail((m) => m.to.includes('alice@example.test'));
    expect(mail.subject).toBe(subject);
    expect(mail.from).toBe('noreply@hearth.test');
    expect(mail.headers.get('from')?.[0]).toBe('Hearth Ünïcode <noreply@hearth.test>');
    expect(mail.raw).toMatch(/^Subject: =\?UTF-8\?[BQ]\?.*\r\n /m);
    expect(mail.to).toEqual(['alice@example.test', 'audit@example.test']);
    expect(mail.text).toContain('Bonjour Zoë');
    expect(mail.text).toContain(`${'long line '.repeat(20)}`);
    expect(mail.html).toContain('<a href=');
    expect(mail.links).toContain(link);
    expect(mail.user).toBe('hearth');
    expect(mail.raw).toContain('Content-Type: multipart/alternative');
  });

  it('decodes base64 bodies, keeps attachments apart and accepts mail without auth', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink().port, secure: false });
    await transport.sendMail({
      from: 'a@hearth.test',
      to: 'b@example.test',
      subject: 'plain',
      text: 'Grüße aus der Küche\n',
      textEncoding: 'base64',
      attachments: [{ filename: 'notes.txt', content: 'attached' }],
    });
    transport.close();

    const mail = await sink().waitForMail((m) => m.subject === 'plain');
    expect(mail.text).toBe('Grüße aus der Küche\n');
    expect(mail.user).toBeUndefined();
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]?.filename).toBe('notes.txt');
    expect(mail.attachments[0]?.content.toString()).toBe('attached');
  });

  it('refuses the next mails with the reply code asked for, at RCPT or after DATA, then accepts again', async () => {
    sink().clear();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink().port, secure: false });
    const send = (to: string) => transport.sendMail({ from: 'a@hearth.test', to, subject: to, text: 'x' });
    const refusal = (to: string) =>
      send(to).then(
        () => undefined,
        (error: { code?: string; responseCode?: number; response?: string }) => error,
      );

    sink().refuseNext(1);
    expect(await refusal('busy@example.test')).toMatchObject({
      code: 'EENVELOPE',
      responseCode: 451,
      response: expect.stringMatching(/^451 Try again later/),
    });

    sink().refuseNext(2, { code: 550 });
    expect(await refusal('gone1@example.test')).toMatchObject({ code: 'EENVELOPE', responseCode: 550 });
    expect(await refusal('gone2@example.test')).toMatchObject({ code: 'EENVELOPE', responseCode: 550 });

    sink().refuseNext(1, { code: 554, message: 'Message rejected as spam', at: 'data' });
    expect(await refusal('spam@example.test')).toMatchObject({
      code: 'EMESSAGE',
      responseCode: 554,
      response: expect.stringContaining('Message rejected as spam'),
    });

    await send('fine@example.test');
    transport.close();
    expect(sink().messages.map((m) => m.subject)).toEqual(['fine@example.test']);
    expect(() => sink().refuseNext(1, { code: 250 })).toThrow(/4xx or 5xx/);
  });

  it('waitForMail times out with a list of what arrived', async () => {
    sink().clear();
    await expect(sink().waitForMail(() => false, 50)).rejects.toThrow(/no matching mail within 50 ms/);
  });
});
