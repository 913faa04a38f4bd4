import { describe, expect, it } from 'vitest';
import { isPublicAddress, whyNotPublicUrl } from './public-address.ts';

describe('isPublicAddress', () => {
  it('refuses loopback, private, link-local, CGNAT, multicast and their IPv6 forms', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });
  it('accepts public addresses', () => {
    for (const a of ['8.8.8.8', '172.32.0.1', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isPublicAddress(a), a).toBe(true);
  });
  it('is not fooled by non-addresses', () => {
    expect(isPublicAddress('localhost')).toBe(false);
    expect(isPublicAddress('')).toBe(false);
  });
});

describe('whyNotPublicUrl', () => {
  it('wants https, no credentials, and a public host', async () => {
    expect(await whyNotPublicUrl('http://8.8.8.8/x', false)).toMatch(/https/);
    expect(await whyNotPublicUrl('https://u:p@8.8.8.8/x', false)).toMatch(/user name/);
    expect(await whyNotPublicUrl('https://127.0.0.1:8443/x', false)).toMatch(/public/);
    expect(await whyNotPublicUrl('https://[::1]/x', false)).toMatch(/public/);
    expect(await whyNotPublicUrl('https://localhost/x', false)).toMatch(/public/);
    expect(await whyNotPublicUrl('https://8.8.8.8/x', false)).toBeNull();
    expect(await whyNotPublicUrl('not a url', false)).toMatch(/URL/);
  });
  it('allows private and http only when told to (tests)', async () => {
    expect(await whyNotPublicUrl('http://127.0.0.1:9000/push/1', true)).toBeNull();
    expect(await whyNotPublicUrl('ftp://127.0.0.1/x', true)).toMatch(/https/);
  });
});
