import { describe, expect, it } from 'vitest';
import { signInPartitionFor } from '../../../main/brokers/signin-partition';

describe('signInPartitionFor', () => {
  it('gives each account its own stable persistent partition', () => {
    const a = signInPartitionFor('uid.utid-login.example.com');
    expect(a).toMatch(/^persist:signin-[0-9a-f]{32}$/);
    expect(signInPartitionFor('uid.utid-login.example.com')).toBe(a);
    expect(signInPartitionFor('other-account')).not.toBe(a);
  });

  it('gives a new account a fresh in-memory partition', () => {
    const p = signInPartitionFor();
    expect(p.startsWith('persist:')).toBe(false);
    expect(signInPartitionFor()).not.toBe(p);
  });
});
