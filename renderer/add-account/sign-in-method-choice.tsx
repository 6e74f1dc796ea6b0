/**
 * The "Sign in with" choice: app window, system browser or device code (SIGN_IN_METHODS in
 * preload/contract.ts). One copy for the Add account dialog (how to sign in now) and the profile
 * form (the profile's default); an app identity has no user sign-in, so neither shows it for one.
 */
import { useId, type ReactNode } from 'react';
import type { SignInMethod } from '../../preload/contract';

/** `method`, or the system browser where it names the app window and there is none (browser mode). */
export function usableMethod(method: SignInMethod, embeddedAvailable: boolean): SignInMethod {
  return method === 'embedded' && !embeddedAvailable ? 'system-browser' : method;
}

/** Props of {@link SignInMethodChoice}. */
export interface SignInMethodChoiceProps {
  readonly method: SignInMethod;
  readonly onChange: (method: SignInMethod) => void;
  /** Browser mode has no app window: that choice is shown, disabled, saying why. */
  readonly embeddedAvailable: boolean;
  /** While a sign-in runs. */
  readonly disabled?: boolean;
  readonly hidden?: boolean;
}

/** A fieldset of three radios with a hint on the device code. */
export function SignInMethodChoice({ method, onChange, embeddedAvailable, disabled = false, hidden = false }: SignInMethodChoiceProps): ReactNode {
  const base = useId();
  return (
    <fieldset disabled={disabled} hidden={hidden}>
      <legend>Sign in with</legend>
      <label className="radio">
        <input type="radio" name={`${base}-method`} checked={method === 'embedded'} disabled={!embeddedAvailable} onChange={() => onChange('embedded')} />
        App window{embeddedAvailable ? '' : ' (not available in browser mode)'}
      </label>
      <label className="radio">
        <input type="radio" name={`${base}-method`} checked={method === 'system-browser'} onChange={() => onChange('system-browser')} />
        System browser
      </label>
      <label className="radio">
        <input type="radio" name={`${base}-method`} checked={method === 'device-code'} onChange={() => onChange('device-code')} aria-describedby={`${base}-device-hint`} />
        Device code
      </label>
      <p className="hint" id={`${base}-device-hint`}>
        Device code: enter a code on any device (over SSH, without a browser here, or where a policy blocks the app window).
      </p>
    </fieldset>
  );
}
