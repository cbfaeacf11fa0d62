import type { MailMessage } from './mailer.js';

/** The mail auth sends. Plain and short; links carry a single-use token. */
export const authMail = {
  verifyEmail(to: string, link: string): MailMessage {
    return {
      to,
      subject: 'Confirm your email address',
      text: `Confirm your email address by opening this link:\n\n${link}\n\nIf you did not sign up, ignore this mail.`,
    };
  },
  accountExists(to: string, resetLink: string): MailMessage {
    return {
      to,
      subject: 'You already have an account',
      text: `Someone (hopefully you) tried to sign up with this address, which already has an account.\n\nIf you forgot your password, reset it here:\n\n${resetLink}\n\nIf it was not you, ignore this mail.`,
    };
  },
  resetPassword(to: string, link: string): MailMessage {
    return {
      to,
      subject: 'Reset your password',
      text: `Choose a new password by opening this link:\n\n${link}\n\nThe link works once, for one hour. If you did not ask for it, ignore this mail.`,
    };
  },
  changeEmail(to: string, link: string): MailMessage {
    return {
      to,
      subject: 'Confirm your new email address',
      text: `Confirm that this is your new email address by opening this link:\n\n${link}\n\nIf you did not ask for this, ignore this mail.`,
    };
  },
};
