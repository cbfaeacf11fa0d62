import { OutboxView } from './outbox-view.tsx';
import { AdminPage } from '../sign-in/admin-page.tsx';

/** The mail outbox, for admins: what Hearth sent or kept, and why a mail failed. */
export function MailPage() {
  return (
    <AdminPage title="Mail">
      <OutboxView />
    </AdminPage>
  );
}
