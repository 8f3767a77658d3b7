/** Client IPs and mailboxes as velocity and runtime lists see them (docs/waves.md, docs/lists.md). */
import { describe, expect, it } from 'vitest';
import { mailboxOf, maskIp, normaliseIp } from '../../shared/policy/identifiers.js';

describe('normaliseIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    [' 10.0.0.255 ', '10.0.0.255'],
    ['::ffff:198.51.100.7', '198.51.100.7'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:DB8:abcd:12:1:2:3:4', '2001:db8:abcd:12::/64'],
    ['[2001:db8::1]', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('%s → %s', (raw, normalised) => {
    expect(normaliseIp(raw)).toBe(normalised);
  });

  it('puts every address of one IPv6 /64 under one key', () => {
    expect(normaliseIp('2001:db8:1:2:aaaa::1')).toBe(normaliseIp('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(normaliseIp('2001:db8:1:2::1')).not.toBe(normaliseIp('2001:db8:1:3::1'));
  });

  it.each([
    '256.1.1.1',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4x',
    '1::2::3',
    '2001:db8:1:2:3:4:5:6:7',
    'x',
    '',
    'localhost',
  ])('rejects %j', (raw) => {
    expect(normaliseIp(raw)).toBeNull();
  });

  it('masks an IP to its first two parts', () => {
    expect(maskIp('203.0.113.9')).toBe('203.0.*.*');
    expect(maskIp('2001:db8:0:0::/64')).toBe('2001:db8:*:*::/64');
  });
});

describe('mailboxOf', () => {
  it.each([
    ['joe+x@example.com', 'joe@example.com'],
    ['j.o.e+x@example.com', 'j.o.e@example.com'],
    ['j.o.e+x@gmail.com', 'joe@gmail.com'],
    ['j.o.e@googlemail.com', 'joe@gmail.com'],
    ['+tag@example.com', '+tag@example.com'],
    ['plain@example.com', 'plain@example.com'],
  ])('%s → %s', (email, mailbox) => {
    expect(mailboxOf(email)).toBe(mailbox);
  });
});
