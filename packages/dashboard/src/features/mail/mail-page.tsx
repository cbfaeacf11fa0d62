import { AdminLayout } from '../../shared/admin-layout.tsx';
import { OutboxView } from './outbox-view.tsx';
import { RequireAdmin } from '../sign-in/require-admin.tsx';

/** The mail outbox, for admins: what Hearth sent or kept, and why a mail failed. */
export function MailPage() {
  return (
    <RequireAdmin>
      {(user) => (
        <AdminLayout title="Mail" user={user}>
          <OutboxView />
        </AdminLayout>
      )}
    </RequireAdmin>
  );
}
