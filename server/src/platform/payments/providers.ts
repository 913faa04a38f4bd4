import type { PaymentProvider, PaymentProviders } from './port.ts';
import { createTestPaymentProvider, type TestPaymentProvider } from './test-provider.ts';

export type PaymentProvidersWithTest = PaymentProviders & { test: TestPaymentProvider };

/** The providers of this process. Only the built-in `test` provider exists here (docs/shop.md says how Stripe plugs in). */
export function createPaymentProviders(opts: { provider: 'test'; webhookSecret: string }): PaymentProvidersWithTest {
  const test = createTestPaymentProvider({ webhookSecret: opts.webhookSecret });
  const all = new Map<string, PaymentProvider>([[test.name, test]]);
  return { default: test, test, get: (name) => all.get(name) };
}
