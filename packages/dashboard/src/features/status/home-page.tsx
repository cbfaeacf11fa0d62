import { AdminPage } from '../sign-in/admin-page.tsx';
import { ServerStatusCard } from './server-status-card.tsx';

/** The dashboard's start page, for admins. */
export function HomePage() {
  return (
    <AdminPage title="Overview">
      <ServerStatusCard />
    </AdminPage>
  );
}
