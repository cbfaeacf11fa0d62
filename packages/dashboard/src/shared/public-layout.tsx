import type { ReactNode } from 'react';
import { useDocumentTitle } from './use-document-title.ts';

interface PublicLayoutProps {
  title: string;
  children: ReactNode;
}

/** The frame of the pages anyone may open: sign-in, setup and the pages mail links lead to. */
export function PublicLayout({ title, children }: PublicLayoutProps) {
  useDocumentTitle(title);
  return (
    <main className="public">
      <p className="brand" aria-hidden="true">
        Hearth
      </p>
      <section className="card" aria-labelledby="page-title">
        <h1 id="page-title">{title}</h1>
        {children}
      </section>
    </main>
  );
}
