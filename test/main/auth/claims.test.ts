import { describe, expect, it } from 'vitest';
import { mergeClaimsChallengeAndCapabilities, pythonJsonDumps } from '../../../main/auth/claims';

describe('claims merging', () => {
  it('passes a challenge through unchanged without capabilities', () => {
    expect(mergeClaimsChallengeAndCapabilities(undefined, '{"id_token":{}}')).toBe('{"id_token":{}}');
    expect(mergeClaimsChallengeAndCapabilities([], undefined)).toBeUndefined();
  });

  it('produces MSAL Python\'s exact text for capabilities alone', () => {
    expect(mergeClaimsChallengeAndCapabilities(['CP1'], undefined)).toBe('{"access_token": {"xms_cc": {"values": ["CP1"]}}}');
  });

  it('merges capabilities into an existing access_token challenge', () => {
    const merged = mergeClaimsChallengeAndCapabilities(['CP1'], '{"access_token":{"nbf":{"essential":true,"value":"1"}}}');
    expect(merged).toBe('{"access_token": {"nbf": {"essential": true, "value": "1"}, "xms_cc": {"values": ["CP1"]}}}');
  });

  it('rejects a challenge that is not a JSON object', () => {
    expect(() => mergeClaimsChallengeAndCapabilities(['CP1'], 'not json')).toThrow(/JSON object/);
  });

  it('escapes non-ASCII as Python json.dumps does', () => {
    expect(pythonJsonDumps({ name: 'Zoë' })).toBe('{"name": "Zo\\u00eb"}');
  });
});
