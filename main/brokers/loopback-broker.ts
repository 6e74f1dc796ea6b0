/**
 * The app's system-browser broker is the auth core's loopback listener, so `acquireTokenInteractive`
 * and the app share one implementation of the redirect landing page, the state and Host checks and
 * the host choice (main/auth/loopback-broker.ts, docs/auth-protocol.md).
 */
export { LoopbackBroker } from '../auth';
export type { LoopbackBrokerOptions } from '../auth';
