import { afterAll } from 'vitest';
import { onUndeclaredAnswer, type UndeclaredAnswer } from './packages/server/src/http/declared-answers.ts';

/**
 * Set up before every test file (vitest.shared.ts): while the file runs, the
 * dispatcher reports each answer a route gives that its declaration does not
 * list (a success status not in `responses`, an error code neither in
 * `errors` nor implicit; http/declared-answers.ts), and the file fails at its
 * end listing them. So the whole suite checks the declarations the OpenAPI
 * document is generated from.
 */
const undeclared = new Map<string, UndeclaredAnswer>();
onUndeclaredAnswer((answer) => {
  const what = answer.code ? `${answer.status} ${answer.code}` : String(answer.status);
  undeclared.set(`${answer.method} ${answer.path} answered ${what}`, answer);
});

afterAll(() => {
  if (undeclared.size === 0) return;
  throw new Error(
    `Routes answered what they do not declare (add it to the route's responses or errors):\n  ${[...undeclared.keys()].join('\n  ')}`,
  );
});
