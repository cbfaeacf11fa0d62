import { Link } from 'wouter';
import { PublicLayout } from './public-layout.tsx';

export function NotFoundPage() {
  return (
    <PublicLayout title="Page not found">
      <p>There is no dashboard page at this address.</p>
      <p>
        <Link href="/">Go to the dashboard</Link>
      </p>
    </PublicLayout>
  );
}
