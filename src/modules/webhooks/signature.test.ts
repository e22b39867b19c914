import { describe, it } from 'node:test';
import { expect } from 'expect';
import { sign, signatureHeader } from './signature.js';

describe('webhook signatures', () => {
  it('signs like Standard Webhooks, one signature per active secret', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    // The reference vector from the Standard Webhooks specification.
    expect(sign(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    expect(signatureHeader([secret, secret], 'm', 1, 'b').split(' ')).toHaveLength(2);
  });
});
