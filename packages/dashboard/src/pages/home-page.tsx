import { AdminLayout } from '../components/admin-layout.tsx';
import { RequireAdmin } from '../components/require-admin.tsx';
import { ServerStatusCard } from '../components/server-status-card.tsx';

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
