import { describe, expect, it } from 'vitest';
import { confirmationProblem } from './password-confirmation.ts';

describe('confirmationProblem', () => {
  it('accepts an exact match only', () => {
    expect(confirmationProblem('correct horse', 'correct horse')).toBeUndefined();
    expect(confirmationProblem('correct horse', 'correct horse ')).toMatch(/not the same/);
    expect(confirmationProblem('Ä', 'A\u0308')).toMatch(/not the same/);
  });
});
