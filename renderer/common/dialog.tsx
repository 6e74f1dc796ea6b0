/**
 * A small accessible modal: labelled, focus on its first field when it opens and back where it was
 * when it closes, Tab and mouse focus kept inside, Escape closes it wherever focus is.
 *
 * WAI-ARIA Authoring Practices, "Dialog (Modal)": initial focus on the first field, Tab wraps,
 * Escape closes. One thing browsers get wrong on their own: when the focused button is disabled
 * (a "Reveal" in flight, a failed "Copy") or removed, focus falls to `<body>`, where Escape and
 * Tab no longer reach the dialog. A MutationObserver catches that and moves focus to the nearest
 * field or button still usable.
 */
import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';

/** Props of {@link Dialog}. */
export interface DialogProps {
  readonly title: string;
  readonly onClose: () => void;
  readonly children: ReactNode;
  /** `side` docks the dialog to the right (details, settings). */
  readonly variant?: 'center' | 'side';
  readonly testId?: string;
  /** The name of the × button, which calls `onClose` (default "Close"); say what it does when that is more than closing. */
  readonly closeLabel?: string;
  /** Whether a click on the backdrop calls `onClose` (default true). */
  readonly closeOnBackdrop?: boolean;
}

/** What can take keyboard focus inside a dialog. */
export const FOCUSABLE =
  'button:not([disabled]), summary, [href], input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

const FIELD = 'input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled])';

// Open dialogs, innermost last: only the innermost one handles Escape and keeps focus.
const openDialogs: HTMLElement[] = [];

function usable(element: Element | null, within: HTMLElement): element is HTMLElement {
  return element instanceof HTMLElement && element.isConnected && within.contains(element) && !element.matches(':disabled');
}

function focusables(dialog: HTMLElement): HTMLElement[] {
  return [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((element) => !element.closest('fieldset:disabled'));
}

/**
 * Where focus goes when a dialog opens: an element marked `data-autofocus`, else its first field
 * (the checked radio of a group), else its first control after the title bar, else the dialog.
 */
export function initialFocusTarget(dialog: HTMLElement): HTMLElement {
  const marked = dialog.querySelector<HTMLElement>('[data-autofocus]');
  if (usable(marked, dialog)) return marked;
  const body = dialog.querySelector<HTMLElement>('.dialog-body') ?? dialog;
  const field = [...body.querySelectorAll<HTMLElement>(FIELD)].find((element) => !element.closest('fieldset:disabled'));
  if (field instanceof HTMLInputElement && field.type === 'radio' && field.name) {
    const group = [...body.querySelectorAll<HTMLInputElement>('input[type="radio"]')].filter((radio) => radio.name === field.name);
    return group.find((radio) => radio.checked && !radio.disabled) ?? field;
  }
  if (field) return field;
  return focusables(body)[0] ?? dialog;
}

/** A modal dialog. */
export function Dialog({ title, onClose, children, variant = 'center', testId, closeLabel = 'Close', closeOnBackdrop = true }: DialogProps): ReactNode {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    openDialogs.push(dialog);
    initialFocusTarget(dialog).focus();

    // The last control that had focus and its place in the tab order, to find a neighbour when it
    // becomes disabled or disappears.
    let last: HTMLElement | null = null;
    let lastIndex = 0;
    const innermost = (): boolean => openDialogs[openDialogs.length - 1] === dialog;
    const onFocusIn = (event: FocusEvent): void => {
      if (!innermost()) return;
      const target = event.target;
      if (target instanceof HTMLElement && dialog.contains(target)) {
        last = target;
        lastIndex = Math.max(0, focusables(dialog).indexOf(target));
        return;
      }
      // Focus moved outside the modal (a click on a toast, a script): bring it back.
      (usable(last, dialog) ? last : initialFocusTarget(dialog)).focus();
    };
    const recover = (): void => {
      if (!innermost()) return;
      const active = document.activeElement;
      const lost = active === null || active === document.body || (dialog.contains(active) && active !== dialog && !usable(active, dialog));
      if (!lost) return;
      const candidates = focusables(dialog);
      const stillThere = last && last.isConnected ? candidates.indexOf(last) : -1;
      const index = stillThere >= 0 ? stillThere : lastIndex;
      // The control just before the lost one (e.g. the field a "Reveal" button submits), else the next.
      const next = candidates[Math.min(Math.max(0, index - 1), candidates.length - 1)];
      (next ?? dialog).focus();
    };
    const observer = new MutationObserver(recover);
    observer.observe(dialog, { subtree: true, childList: true, attributes: true, attributeFilter: ['disabled'] });
    const onKeyDown = (event: globalThis.KeyboardEvent): void => {
      // Escape closes the innermost dialog even when focus is somewhere else.
      if (event.key === 'Escape' && innermost() && !event.defaultPrevented) {
        event.preventDefault();
        onCloseRef.current();
      }
    };
    document.addEventListener('focusin', onFocusIn);
    document.addEventListener('keydown', onKeyDown);
    return () => {
      observer.disconnect();
      document.removeEventListener('focusin', onFocusIn);
      document.removeEventListener('keydown', onKeyDown);
      openDialogs.splice(openDialogs.indexOf(dialog), 1);
      const outer = openDialogs[openDialogs.length - 1];
      if (previous?.isConnected) previous.focus();
      else if (outer) initialFocusTarget(outer).focus();
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.key !== 'Tab' || !ref.current) return;
    // Keep Tab inside the modal.
    const items = focusables(ref.current);
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) {
      event.preventDefault();
      return;
    }
    const active = document.activeElement;
    if (event.shiftKey && (active === first || active === ref.current)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <div className="backdrop" onMouseDown={(event) => closeOnBackdrop && event.target === event.currentTarget && onClose()}>
      <div
        ref={ref}
        className={`dialog dialog-${variant}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onKeyDown={onKeyDown}
        data-testid={testId}
      >
        {/* A div, not <header>: inside a dialog a <header> would be a second page banner (axe). */}
        <div className="dialog-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="icon-button" aria-label={closeLabel} title={closeLabel === 'Close' ? undefined : closeLabel} onClick={onClose}>
            ×
          </button>
        </div>
        <div className="dialog-body">{children}</div>
      </div>
    </div>
  );
}
