/**
 * An msal-node network client on undici that trusts the test identity provider's CA.
 *
 * msal-node's default client uses the process-wide trust store; plugging this in via
 * `system.networkClient` (its documented `INetworkModule` hook) avoids re-executing the bench with
 * `NODE_EXTRA_CA_CERTS`, and both libraries then talk to the provider through undici.
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { Agent, fetch } from 'undici';

/** An `INetworkModule` plus `close()` for its connection pool. */
export interface ClosableNetworkClient extends INetworkModule {
  close(): Promise<void>;
}

/**
 * Builds a network client whose TLS connections trust `caCertPem` only.
 *
 * Responses are parsed as JSON as msal-node expects; an empty body becomes `{}`.
 */
export function createMsalNetworkClient(caCertPem: string): ClosableNetworkClient {
  const agent = new Agent({ connect: { ca: caCertPem } });
  const send = async <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const response = await fetch(url, { method, headers: options?.headers, body: options?.body, dispatcher: agent });
    const text = await response.text();
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: response.status, headers, body: (text === '' ? {} : JSON.parse(text)) as T };
  };
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
    close: () => agent.close(),
  };
}
