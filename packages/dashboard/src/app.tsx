import { Route, Router, Switch } from 'wouter';
import { ConfirmEmailPage } from './features/account-links/confirm-email-page.tsx';
import { KeysPage } from './features/keys/keys-page.tsx';
import { ForgotPasswordPage } from './features/account-links/forgot-password-page.tsx';
import { HomePage } from './features/status/home-page.tsx';
import { LoginPage } from './features/sign-in/login-page.tsx';
import { MailPage } from './features/mail/mail-page.tsx';
import { NotFoundPage } from './shared/not-found-page.tsx';
import { ResetPasswordPage } from './features/account-links/reset-password-page.tsx';
import { SetupPage } from './features/setup/setup-page.tsx';
import { VerifyEmailPage } from './features/account-links/verify-email-page.tsx';

/**
 * Every page of the dashboard, by path under /_/. The server answers any
 * /_/ path with index.html, and this table decides. The /auth/* and /setup
 * paths are linked from mail and from `hearth start`: keep them stable.
 */
export function App() {
  return (
    <Router base="/_">
      <Switch>
        <Route path="/" component={HomePage} />
        <Route path="/login" component={LoginPage} />
        <Route path="/mail" component={MailPage} />
        <Route path="/keys" component={KeysPage} />
        <Route path="/setup" component={SetupPage} />
        <Route path="/auth/verify-email" component={VerifyEmailPage} />
        <Route path="/auth/confirm-email" component={ConfirmEmailPage} />
        <Route path="/auth/reset-password" component={ResetPasswordPage} />
        <Route path="/auth/forgot-password" component={ForgotPasswordPage} />
        <Route component={NotFoundPage} />
      </Switch>
    </Router>
  );
}
