import { Link, useLocation } from 'wouter';

/** The admin pages, in the order the navigation lists them. */
const adminPages = [
  { href: '/', label: 'Overview' },
  { href: '/mail', label: 'Mail' },
  { href: '/keys', label: 'Keys' },
];

/** The signed-in navigation; the current page is marked for assistive technology with aria-current. */
export function AdminNav() {
  const [location] = useLocation();
  return (
    <nav aria-label="Dashboard" className="admin-nav">
      <ul>
        {adminPages.map((page) => (
          <li key={page.href}>
            <Link href={page.href} aria-current={location === page.href ? 'page' : undefined}>
              {page.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
