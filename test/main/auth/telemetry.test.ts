import { describe, expect, it } from 'vitest';
import {
  ApiId,
  AT_EXPIRED,
  FORCE_REFRESH,
  TelemetryBuffer,
  TelemetryContext,
} from '../../../main/auth/telemetry';

const LAST = 'x-client-last-telemetry';
const CURRENT = 'x-client-current-telemetry';

describe('TelemetryContext', () => {
  it('reproduces the observed header sequence of MSAL (spec 1.9)', () => {
    const buffer = new TelemetryBuffer();
    new TelemetryContext(buffer, ApiId.ACQUIRE_TOKEN_SILENT, 'id_0', AT_EXPIRED).hit();

    const first = new TelemetryContext(buffer, ApiId.ACQUIRE_TOKEN_BY_DEVICE_FLOW, 'id_1');
    expect(first.headers()).toEqual({ [CURRENT]: '4|622,0|', [LAST]: '4|1|||' });
    first.updateTelemetry({ error: 'error_1' });

    const second = new TelemetryContext(buffer, ApiId.ACQUIRE_TOKEN_BY_DEVICE_FLOW, 'id_2');
    expect(second.headers()[LAST]).toBe('4|1|622,id_1|error_1|');
    second.updateTelemetry({ error: 'error_2' });

    const third = new TelemetryContext(buffer, ApiId.ACQUIRE_TOKEN_BY_DEVICE_FLOW, 'id_3');
    expect(third.headers()[LAST]).toBe('4|1|622,id_1,622,id_2|error_1,error_2|');
    third.updateTelemetry({ access_token: 'x', token_type: 'Bearer' });

    expect(new TelemetryContext(buffer, ApiId.ACQUIRE_TOKEN_SILENT, 'id_4').headers()[LAST]).toBe('4|0|||');
  });

  it('puts the api id and refresh reason in the current header', () => {
    const context = new TelemetryContext(new TelemetryBuffer(), ApiId.ACQUIRE_TOKEN_SILENT, 'c', FORCE_REFRESH);
    expect(context.headers()[CURRENT]).toBe('4|84,1|');
    expect(context.correlationId).toBe('c');
  });

  it('generates a correlation id when none is given', () => {
    const context = new TelemetryContext(new TelemetryBuffer(), ApiId.GET_ACCOUNTS);
    expect(context.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('caps the failure list at 350 characters', () => {
    const buffer = new TelemetryBuffer();
    for (let i = 0; i < 50; i += 1) {
      new TelemetryContext(buffer, ApiId.ACQUIRE_TOKEN_FOR_CLIENT, `00000000-0000-0000-0000-0000000000${String(i).padStart(2, '0')}`)
        .updateTelemetry({ error: 'invalid_client' });
    }
    const size = buffer.failures.reduce((n, f) => n + `,${f.apiId},${f.correlationId},${f.error}`.length, 0);
    expect(size).toBeLessThan(350);
    expect(buffer.failures.length).toBe(Math.floor(349 / ',730,00000000-0000-0000-0000-000000000000,invalid_client'.length));
  });

  it('ignores an empty result', () => {
    const buffer = new TelemetryBuffer();
    const context = new TelemetryContext(buffer, ApiId.ACQUIRE_TOKEN_SILENT, 'c');
    context.hit();
    context.updateTelemetry({});
    context.updateTelemetry(undefined);
    expect(buffer.succeeded).toBe(1);
  });
});
