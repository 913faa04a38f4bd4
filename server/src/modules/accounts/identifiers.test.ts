import { describe, expect, it } from 'vitest';
import { ageOn, normaliseEmail, normalisePhone } from './identifiers.ts';

describe('identifiers', () => {
  it('normalises phone numbers to E.164 using the region for national numbers', () => {
    expect(normalisePhone('(415) 555-2671', 'US')).toBe('+14155552671');
    expect(normalisePhone('+44 20 7946 0958', 'US')).toBe('+442079460958');
    expect(normalisePhone('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(normalisePhone('12', 'US')).toBeNull();
    expect(normalisePhone('not a number', 'US')).toBeNull();
  });

  it('lowercases and trims emails', () => {
    expect(normaliseEmail('  Maya.Chen@Example.COM ')).toBe('maya.chen@example.com');
  });

  it('computes whole years of age, counting the birthday itself', () => {
    const now = new Date('2026-06-15T12:00:00Z');
    expect(ageOn('2010-06-15', now)).toBe(16);
    expect(ageOn('2010-06-16', now)).toBe(15);
    expect(ageOn('2013-06-16', now)).toBe(12);
  });
});
