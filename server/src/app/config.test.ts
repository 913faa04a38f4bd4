import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has safe development defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeNull();
    expect(c.redisUrl).toBeNull();
    expect(c.publicOrigin).toBe('http://localhost:3000');
    expect(c.demoContent).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: '99999', REDIS_URL: 'http://nope' });
    } catch (err) {
      expect((err as Error).message).toMatch(/PORT/);
      expect((err as Error).message).toMatch(/REDIS_URL/);
    }
  });

  it('requires APP_SECRET in production and never seeds demo data there or on PostgreSQL', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/APP_SECRET/);
    const prod = loadConfig({ NODE_ENV: 'production', APP_SECRET: 'x'.repeat(32), DEMO_CONTENT: 'true' });
    expect(prod.demoContent).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://h/db', DEMO_CONTENT: 'true' }).demoContent).toBe(false);
  });

  it('reads rate limits and origins', () => {
    const c = loadConfig({ RATE_LIMIT_API_PER_IP: '5', CORS_ORIGINS: 'https://a.example, https://b.example', PUBLIC_URL: 'https://loop.example/' });
    expect(c.rateLimits.apiPerIp).toBe(5);
    expect(c.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(c.publicUrl).toBe('https://loop.example');
  });

  it('takes web push keys in pairs, a contact that push services accept, and private endpoints only when asked', () => {
    const { publicKey, privateKey } = { publicKey: `B${'a'.repeat(86)}`, privateKey: 'k'.repeat(43) };
    expect(() => loadConfig({ VAPID_PUBLIC_KEY: publicKey })).toThrow(/set both or neither/);
    const c = loadConfig({ VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey, PUBLIC_URL: 'https://loop.example' });
    expect(c.push).toMatchObject({ vapidPublicKey: publicKey, vapidPrivateKey: privateKey, vapidSubject: 'mailto:push@loop.example', allowPrivateEndpoints: false, idleMs: 60_000 });
    expect(() => loadConfig({ VAPID_SUBJECT: 'push@loop.example' })).toThrow(/VAPID_SUBJECT/);
    expect(loadConfig({ PUSH_ALLOW_PRIVATE_ENDPOINTS: 'true' }).push.allowPrivateEndpoints).toBe(true);
  });
});
