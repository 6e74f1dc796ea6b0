/**
 * The device code of an account signing in again (or for other scopes) with a code: the same box
 * as in "Add account", in its own dialog, open until the sign-in ends. Closing it cancels.
 */
import type { ReactNode } from 'react';
import { Dialog } from '../common/dialog';
import { useAppStore } from '../store';
import { DeviceCodeBox } from './device-code-box';

/** Shown while `accountDeviceCode` is set. */
export function AccountDeviceCodeDialog(): ReactNode {
  const progress = useAppStore((state) => state.accountDeviceCode);
  const cancelSignIn = useAppStore((state) => state.cancelSignIn);
  if (!progress) return null;
  const cancel = (): void => void cancelSignIn();
  return (
    <Dialog title="Sign in with a code" onClose={cancel} testId="account-device-code">
      <DeviceCodeBox progress={progress} onCancel={cancel} />
    </Dialog>
  );
}
