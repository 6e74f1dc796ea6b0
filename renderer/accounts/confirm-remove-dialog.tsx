/**
 * Asks before removing an account (its tokens are deleted from the cache).
 */
import { useState, type ReactNode } from 'react';
import { Dialog } from '../common/dialog';
import { useAppStore } from '../store';

/** Props of {@link ConfirmRemoveDialog}. */
export interface ConfirmRemoveDialogProps {
  readonly accountId: string;
}

/** The confirmation for "Remove". */
export function ConfirmRemoveDialog({ accountId }: ConfirmRemoveDialogProps): ReactNode {
  const account = useAppStore((state) => state.accounts.find((candidate) => candidate.id === accountId));
  const removeAccount = useAppStore((state) => state.removeAccount);
  const closePanel = useAppStore((state) => state.closePanel);
  const showToast = useAppStore((state) => state.showToast);
  const [removing, setRemoving] = useState(false);
  if (!account) return null;
  return (
    <Dialog title="Remove account?" onClose={closePanel} testId="confirm-remove">
      <p>
        Remove <strong>{account.username}</strong> ({account.profileName})? Its tokens are deleted from this machine; you can sign in again later.
      </p>
      <div className="form-actions">
        <button type="button" onClick={closePanel}>
          Keep
        </button>
        <button
          type="button"
          className="danger primary"
          disabled={removing}
          onClick={async () => {
            setRemoving(true);
            const removed = await removeAccount(account.id);
            setRemoving(false);
            if (removed) {
              showToast({ kind: 'info', message: `Removed ${account.username}.` });
              closePanel();
            }
          }}
        >
          Remove account
        </button>
      </div>
    </Dialog>
  );
}
