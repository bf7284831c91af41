import { describe, expect, it } from 'vitest';
import { userRoles } from '../db/schema.js';
import { can, canGrantRole, canModerate, isStaff, permissions, roleRank } from './permissions.js';

describe('the permission table', () => {
  it('orders roles user < agent < moderator < admin < owner', () => {
    expect(userRoles.map(roleRank)).toEqual([0, 1, 2, 3, 4]);
  });

  it('lets every role do what the roles below it may do', () => {
    for (const permission of Object.keys(permissions) as (keyof typeof permissions)[]) {
      const allowed = userRoles.map((role) => can(role, permission));
      const firstAllowed = allowed.indexOf(true);
      expect(firstAllowed).toBeGreaterThanOrEqual(0);
      expect(allowed.slice(firstAllowed).every(Boolean)).toBe(true);
      expect(allowed.slice(0, firstAllowed).some(Boolean)).toBe(false);
    }
  });

  it('keeps staff work from users and deletion from agents', () => {
    expect(can('user', 'tickets.read_all')).toBe(false);
    expect(can('agent', 'tickets.read_all')).toBe(true);
    expect(can('moderator', 'tickets.delete')).toBe(false);
    expect(can('admin', 'tickets.delete')).toBe(true);
    expect(isStaff('user')).toBe(false);
    expect(isStaff('agent')).toBe(true);
  });

  it('never lets anyone but an owner grant a role at or above their own', () => {
    expect(canGrantRole('admin', 'user', 'moderator')).toBe(true);
    expect(canGrantRole('admin', 'user', 'admin')).toBe(false);
    expect(canGrantRole('admin', 'admin', 'user')).toBe(false);
    expect(canGrantRole('moderator', 'user', 'agent')).toBe(true);
    expect(canGrantRole('owner', 'admin', 'owner')).toBe(true);
  });

  it('lets moderators block only lower roles', () => {
    expect(canModerate('moderator', 'agent')).toBe(true);
    expect(canModerate('moderator', 'moderator')).toBe(false);
    expect(canModerate('agent', 'user')).toBe(false);
    expect(canModerate('owner', 'owner')).toBe(true);
  });
});
