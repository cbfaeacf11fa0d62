import { HearthError } from '@hearth/client';
import { describe, expect, it } from 'vitest';
import { formProblem } from './form-problem.ts';

const fields = { 'auth/weak-password': 'password', 'validation/failed': 'email' };

describe('formProblem', () => {
  it("keeps the server's specific message and ties it to the input it is about", () => {
    const weak = new HearthError('auth/weak-password', 'The password must have at least 8 characters.', 400, {
      reason: 'too-short',
    });
    expect(formProblem(weak, { fields })).toEqual({
      message: 'The password must have at least 8 characters.',
      field: 'password',
    });
  });

  it("uses the page's wording for codes it explains", () => {
    const used = new HearthError('admin/setup-complete', 'The first admin already exists.', 409);
    expect(formProblem(used, { messages: { 'admin/setup-complete': 'Setup is complete.' } })).toEqual({
      message: 'Setup is complete.',
    });
  });

  it('says when to retry after a rate limit', () => {
    const limited = (retryAfter: number | undefined) =>
      new HearthError('http/rate-limited', 'Too many requests.', 429, undefined, {
        ...(retryAfter === undefined ? {} : { retryAfter }),
      });
    expect(formProblem(limited(30)).message).toBe('Too many attempts. Try again in 30 seconds.');
    expect(formProblem(limited(900)).message).toBe('Too many attempts. Try again in 15 minutes.');
    expect(formProblem(limited(undefined)).message).toBe('Too many attempts. Try again later.');
  });

  it('points a validation failure at the first input it names', () => {
    const invalid = new HearthError('validation/failed', 'The input is invalid.', 400, {
      fields: [{ path: 'email', message: 'Invalid email address' }],
    });
    expect(formProblem(invalid, { fields })).toEqual({
      message: 'Email: Invalid email address',
      field: 'email',
    });
    expect(formProblem(invalid)).toEqual({ message: 'Email: Invalid email address' });
    expect(formProblem(new HearthError('validation/failed', 'The input is invalid.', 400))).toEqual({
      message: 'The input is invalid.',
    });
  });

  it('explains an unreachable server and anything unexpected', () => {
    expect(formProblem(new HearthError('client/network', 'fetch failed', 0)).message).toMatch(
      /could not be reached/,
    );
    expect(formProblem(new Error('boom')).message).toBe('Something went wrong: boom');
  });
});
