import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { fromDatabaseError } from './database-errors.js';

function databaseError(code: string, message = 'from PostgreSQL'): Error {
  return Object.assign(new pg.DatabaseError(message, 0, 'error'), { code });
}

describe('fromDatabaseError', () => {
  it.each([
    {
      name: 'pool wait exceeded',
      error: new Error('timeout exceeded when trying to connect'),
      code: 'db/busy',
    },
    { name: 'too many connections', error: databaseError('53300'), code: 'db/busy' },
    { name: 'deadlock detected', error: databaseError('40P01'), code: 'db/busy' },
    { name: 'serialization failure', error: databaseError('40001'), code: 'db/busy' },
    {
      name: 'statement timeout',
      error: databaseError('57014', 'canceling statement due to statement timeout'),
      code: 'db/timeout',
    },
    { name: 'admin shutdown', error: databaseError('57P01'), code: 'db/unavailable' },
    { name: 'crash shutdown', error: databaseError('57P02'), code: 'db/unavailable' },
    { name: 'starting up', error: databaseError('57P03'), code: 'db/unavailable' },
    { name: 'connection failure', error: databaseError('08006'), code: 'db/unavailable' },
    {
      name: 'refused',
      error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      code: 'db/unavailable',
    },
    {
      name: 'refused on every address of localhost',
      error: new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]),
      code: 'db/unavailable',
    },
    {
      name: 'connection lost',
      error: new Error('Connection terminated unexpectedly'),
      code: 'db/unavailable',
    },
    {
      name: 'connect timed out',
      error: new Error('Connection terminated due to connection timeout'),
      code: 'db/unavailable',
    },
    {
      name: 'dead client reused',
      error: new Error('Client has encountered a connection error and is not queryable'),
      code: 'db/unavailable',
    },
  ])('$name is $code with Retry-After', ({ error, code }) => {
    const mapped = fromDatabaseError(error);
    expect(mapped?.code).toBe(code);
    expect(mapped?.status).toBe(503);
    expect(Number(mapped?.headers['Retry-After'])).toBeGreaterThan(0);
  });

  it.each([
    { name: 'a unique violation', error: databaseError('23505') },
    { name: 'a syntax error', error: databaseError('42601') },
    { name: 'a plain bug', error: new TypeError('x is undefined') },
    { name: 'a string', error: 'nope' },
  ])('leaves $name to its caller', ({ error }) => {
    expect(fromDatabaseError(error)).toBeUndefined();
  });
});
