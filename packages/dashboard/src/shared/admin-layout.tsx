import { useState, type ReactNode } from 'react';
import type { User } from '@hearth/client';
import { AdminNav } from './admin-nav.tsx';
import { useDocumentTitle } from './use-document-title.ts';
import { displayName } from '../features/sign-in/admin-access.ts';
import { hearth } from '../hearth.ts';

interface AdminLayoutProps {
  title: string;
  user: User;
  children: ReactNode;
}

/** The signed-in frame: the admin pages, who is signed in, a way out, and the page. */
export function AdminLayout({ title, user, children }: AdminLayoutProps) {
  useDocumentTitle(title);
  return (
    <>
      <header className="topbar">
        <span className="brand">Hearth</span>
        <AdminNav />
        <span className="topbar-user">
          Signed in as <strong data-testid="signed-in-as">{displayName(user)}</strong>
        </span>
        <SignOutButton />
      </header>
      <main className="admin">
        <h1>{title}</h1>
        {children}
      </main>
    </>
  );
}

/** Ends this session on the server; the session store then sends the user to the sign-in page. */
export function SignOutButton() {
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      className="secondary"
      disabled={pending}
      onClick={() => {
        setPending(true);
        // The SDK forgets the session locally even when the server cannot be reached.
        void hearth.auth.signOut().finally(() => setPending(false));
      }}
    >
      {pending ? 'Signing out…' : 'Sign out'}
    </button>
  );
}
