import { useEffect, type ReactNode } from 'react';
import { Redirect } from 'wouter';
import { displayName } from './admin-access.ts';
import { hearth } from '../../hearth.ts';
import { useAuthView } from './session.ts';
import { PublicLayout } from '../../shared/public-layout.tsx';
import { AdminLayout, SignOutButton } from '../../shared/admin-layout.tsx';

interface AdminPageProps {
  title: string;
  children: ReactNode;
}

/**
 * A page for admins: its content in the admin layout, for a signed-in admin
 * only. Nobody signed in goes to the sign-in page; a user who is not an
 * admin is told so and may sign out.
 */
export function AdminPage({ title, children }: AdminPageProps) {
  const view = useAuthView();
  const signedIn = view.status === 'signed-in';

  // The stored user may be stale (a role changed, a session revoked): ask the
  // server once. A refused session signs the SDK out, and this page with it.
  useEffect(() => {
    if (signedIn) void hearth.auth.getUser().catch(() => undefined);
  }, [signedIn]);

  if (view.status === 'loading') return <p className="loading">Loading…</p>;
  if (view.status === 'signed-out') return <Redirect to="/login" replace />;
  if (!view.isAdmin) {
    return (
      <PublicLayout title="Admins only">
        <p data-testid="admins-only">
          The dashboard is for admins. You are signed in as <strong>{displayName(view.user)}</strong>, which
          is not an admin account.
        </p>
        <SignOutButton />
      </PublicLayout>
    );
  }
  return (
    <AdminLayout title={title} user={view.user}>
      {children}
    </AdminLayout>
  );
}
