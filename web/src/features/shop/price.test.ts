import { describe, expect, it } from 'vitest';
import { formatPrice, parsePrice } from './price.ts';

describe('prices', () => {
  it('formats minor units for the currency and locale', () => {
    expect(formatPrice(1500, 'EUR', 'en')).toBe('€15.00');
    expect(formatPrice(1500, 'EUR', 'fr').replace(/\s/g, ' ')).toBe('15,00 €');
    expect(formatPrice(1500, 'JPY', 'en')).toBe('¥1,500');
    expect(formatPrice(199, 'USD', 'en-US')).toBe('$1.99');
  });
  it('reads what a seller types', () => {
    expect(parsePrice('15', 'EUR')).toBe(1500);
    expect(parsePrice('15,5', 'EUR')).toBe(1550);
    expect(parsePrice('1.99', 'USD')).toBe(199);
    expect(parsePrice('1500', 'JPY')).toBe(1500);
    expect(parsePrice('1.5', 'JPY')).toBeNull();
    expect(parsePrice('abc', 'EUR')).toBeNull();
    expect(parsePrice('1.999', 'EUR')).toBeNull();
  });
});
