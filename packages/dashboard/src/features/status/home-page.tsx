import { AdminLayout } from '../../shared/admin-layout.tsx';
import { RequireAdmin } from '../sign-in/require-admin.tsx';
import { ServerStatusCard } from './server-status-card.tsx';

/** The dashboard's start page, for admins. */
export function HomePage() {
  return (
    <RequireAdmin>
      {(user) => (
        <AdminLayout title="Overview" user={user}>
          <ServerStatusCard />
        </AdminLayout>
      )}
    </RequireAdmin>
  );
}
