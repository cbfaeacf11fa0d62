/**
 * What the forgot-password and resend forms say after any submit. The server
 * answers the same whether or not the address has an account, and so must
 * the page.
 */
export const sameAnswerForEveryAddress =
  'If an account exists for this address, a link is on its way. Check your inbox (and spam folder).';
