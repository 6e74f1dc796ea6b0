/**
 * A labelled form field with its hint and its error underneath, linked by ids
 * (`<id>-hint`, `<id>-error`) for `aria-describedby`. Shared by the profile form's parts.
 */
import type { ReactNode } from 'react';

/** Props of {@link Field}. */
export interface FieldProps {
  readonly id: string;
  readonly label: string;
  readonly error?: string | undefined;
  readonly hint?: string | undefined;
  readonly children: ReactNode;
}

/** A field: label, control, hint, error. */
export function Field({ id, label, error, hint, children }: FieldProps): ReactNode {
  return (
    <div className={`field ${error ? 'field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
