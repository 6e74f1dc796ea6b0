/**
 * Shows toasts in a polite live region and dismisses them after a while.
 */
import { useEffect, type ReactNode } from 'react';
import { useAppStore, type Toast } from '../store';

const TOAST_MS = 8_000;

function ToastItem({ toast }: { readonly toast: Toast }): ReactNode {
  const dismissToast = useAppStore((state) => state.dismissToast);
  useEffect(() => {
    const timer = setTimeout(() => dismissToast(toast.id), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast.id, dismissToast]);
  return (
    <div className={`toast toast-${toast.kind}`} data-testid="toast">
      <span>{toast.message}</span>
      <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismissToast(toast.id)}>
        ×
      </button>
    </div>
  );
}

/** The toast stack. */
export function ToastHost(): ReactNode {
  const toasts = useAppStore((state) => state.toasts);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((toast) => (
        <ToastItem key={toast.id} toast={toast} />
      ))}
    </div>
  );
}
