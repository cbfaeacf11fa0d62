import type { User } from '@hearth/client';
import { describe, expect, it } from 'vitest';
import { authViewOf, displayName } from './admin-access.ts';

const user = (role: string, email: string | null = 'ada@example.test'): User => ({
  id: '0b6f3c1e-0000-4000-8000-000000000001',
  email,
  emailVerified: true,
  role,
  anonymous: false,
  disabled: false,
  mfaEnabled: false,
  metadata: {},
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
});

describe('authViewOf', () => {
  it('tells admins from other users and from nobody', () => {
    expect(authViewOf(null)).toEqual({ status: 'signed-out' });
    expect(authViewOf(user('admin'))).toMatchObject({ status: 'signed-in', isAdmin: true });
    expect(authViewOf(user('user'))).toMatchObject({ status: 'signed-in', isAdmin: false });
    expect(authViewOf(user('Admin'))).toMatchObject({ isAdmin: false });
  });

  it('names a user by email, or by id without one', () => {
    expect(displayName(user('admin'))).toBe('ada@example.test');
    expect(displayName(user('user', null))).toBe('user 0b6f3c1e-0000-4000-8000-000000000001');
  });
});
