/**
 * Add account: pick a profile (or create one), choose the sign-in method, follow the progress.
 */
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { ProviderProfile, SignInMethod } from '../../preload/contract';
import { Dialog } from '../common/dialog';
import { useAppStore, type SignInState } from '../store';
import { DeviceCodeBox } from './device-code-box';
import { ProfileForm } from './profile-form';
import { SignInMethodChoice, usableMethod } from './sign-in-method-choice';
import { describeSignInFailure } from './sign-in-messages';

function Progress({ signIn, onCancel }: { readonly signIn: SignInState; readonly onCancel: () => void }): ReactNode {
  let text: string;
  switch (signIn.kind) {
    case 'device-code':
      return <DeviceCodeBox progress={signIn} onCancel={onCancel} />;
    case 'starting':
      text = 'Opening the sign-in page…';
      break;
    case 'waiting-for-user':
      text = signIn.method === 'system-browser' ? `Finish signing in at ${signIn.host} in your browser…` : `Finish signing in at ${signIn.host} in the sign-in window…`;
      break;
    case 'redeeming':
      text = 'Signed in at the provider; getting tokens…';
      break;
    default:
      return null;
  }
  return (
    <div className="progress" role="status" data-testid="sign-in-progress">
      <span className="spinner" aria-hidden="true" />
      <span>{text}</span>
      <button type="button" onClick={onCancel}>
        Cancel sign-in
      </button>
    </div>
  );
}

/** The "Add account" dialog. */
export function AddAccountDialog(): ReactNode {
  const profiles = useAppStore((state) => state.profiles);
  const settings = useAppStore((state) => state.settings);
  const appInfo = useAppStore((state) => state.appInfo);
  const signIn = useAppStore((state) => state.signIn);
  const addAccount = useAppStore((state) => state.addAccount);
  const cancelSignIn = useAppStore((state) => state.cancelSignIn);
  const resetSignIn = useAppStore((state) => state.resetSignIn);
  const closePanel = useAppStore((state) => state.closePanel);
  const embeddedAvailable = appInfo?.mode !== 'browser';
  const deleteProfile = useAppStore((state) => state.deleteProfile);
  const accounts = useAppStore((state) => state.accounts);
  // The pick list, a new profile, or an existing one edited or copied.
  const [view, setView] = useState<'pick' | 'new-profile'>('pick');
  const [editing, setEditing] = useState<{ readonly profile: ProviderProfile; readonly mode: 'edit' | 'duplicate' } | undefined>(undefined);
  const [deleting, setDeleting] = useState<ProviderProfile | undefined>(undefined);
  const [profileId, setProfileId] = useState<string | undefined>(profiles[0]?.id);
  const selectedIsApp = profiles.find((profile) => profile.id === profileId)?.grant === 'app';
  const [method, setMethod] = useState<SignInMethod>(() => {
    return usableMethod(settings?.defaultSignInMethod ?? 'embedded', embeddedAvailable);
  });
  const groupId = useId();
  const busy = signIn.kind === 'starting' || signIn.kind === 'waiting-for-user' || signIn.kind === 'redeeming' || signIn.kind === 'device-code';

  // A fresh dialog starts from a clean slate.
  useEffect(() => {
    resetSignIn();
  }, [resetSignIn]);
  useEffect(() => {
    if (profileId === undefined && profiles[0]) setProfileId(profiles[0].id);
  }, [profiles, profileId]);

  const close = (): void => {
    if (busy) void cancelSignIn();
    resetSignIn();
    closePanel();
  };

  const openForm = (next: { readonly profile: ProviderProfile; readonly mode: 'edit' | 'duplicate' } | undefined): void => {
    setDeleting(undefined);
    setEditing(next);
    setView('new-profile');
  };

  const start = async (): Promise<void> => {
    if (!profileId) return;
    const account = await addAccount(profileId, method);
    if (account) {
      resetSignIn();
      closePanel();
    }
  };

  const failure = signIn.kind === 'failed' ? describeSignInFailure(signIn.error) : undefined;

  return (
    // Keyed by view: the profile form is a new dialog step, so it opens on its own first field.
    <Dialog
      key={`${view}:${editing?.mode ?? ''}:${editing?.profile.id ?? ''}`}
      title={view === 'pick' ? 'Add account' : editing?.mode === 'edit' ? 'Edit provider profile' : 'New provider profile'}
      onClose={close}
      testId="add-account"
    >
      {view === 'new-profile' ? (
        <ProfileForm
          embeddedAvailable={embeddedAvailable}
          {...(editing ? { initial: editing } : {})}
          onCancel={() => {
            setEditing(undefined);
            setView('pick');
          }}
          onSaved={(profile) => {
            setProfileId(profile.id);
            setMethod(usableMethod(profile.signInMethod, embeddedAvailable));
            setEditing(undefined);
            setView('pick');
          }}
        />
      ) : (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            void start();
          }}
        >
          <fieldset disabled={busy}>
            <legend id={groupId}>Provider profile</legend>
            {profiles.length === 0 ? <p className="hint">No profiles yet: create one.</p> : null}
            <div className="profile-options">
              {profiles.map((profile) => (
                <div key={profile.id} className="profile-option">
                  <label className="radio">
                  <input
                    type="radio"
                    name="profile"
                    value={profile.id}
                    checked={profileId === profile.id}
                    onChange={() => {
                      setProfileId(profile.id);
                      // Follows the profile's default where it can be used here; else keeps the choice.
                      if (usableMethod(profile.signInMethod, embeddedAvailable) === profile.signInMethod) setMethod(profile.signInMethod);
                    }}
                  />
                  <span className="profile-text">
                    <strong className="ellipsis">{profile.name}</strong>
                    {profile.builtIn ? <span className="badge">demo</span> : null}
                    {profile.grant === 'app' ? <span className="badge">app identity</span> : null}
                    <span className="muted block ellipsis">{hostOf(profile.authority)}</span>
                  </span>
                  </label>
                  <span className="profile-actions">
                    {profile.builtIn ? null : (
                      <button type="button" className="link" aria-label={`Edit ${profile.name}`} onClick={() => openForm({ profile, mode: 'edit' })}>
                        Edit
                      </button>
                    )}
                    <button type="button" className="link" aria-label={`Duplicate ${profile.name}`} onClick={() => openForm({ profile, mode: 'duplicate' })}>
                      Duplicate
                    </button>
                    {profile.builtIn ? null : (
                      <button type="button" className="link danger" aria-label={`Delete ${profile.name}`} onClick={() => setDeleting(profile)}>
                        Delete
                      </button>
                    )}
                  </span>
                </div>
              ))}
            </div>
            {deleting ? (
              <div className="confirm-inline" role="group" aria-label={`Delete ${deleting.name}?`}>
                <p>
                  {(() => {
                    const inUse = accounts.filter((account) => account.profileId === deleting.id).length;
                    return inUse > 0
                      ? `${deleting.name} has ${inUse} signed-in account${inUse === 1 ? '' : 's'}: remove ${inUse === 1 ? 'it' : 'them'} from the list first.`
                      : `Delete the profile ${deleting.name}? Accounts can no longer sign in with it.`;
                  })()}
                </p>
                <div className="form-actions">
                  <button type="button" onClick={() => setDeleting(undefined)}>
                    Keep profile
                  </button>
                  <button
                    type="button"
                    className="danger primary"
                    disabled={accounts.some((account) => account.profileId === deleting.id)}
                    onClick={async () => {
                      await deleteProfile(deleting.id);
                      if (profileId === deleting.id) setProfileId(undefined);
                      setDeleting(undefined);
                    }}
                  >
                    Delete profile
                  </button>
                </div>
              </div>
            ) : null}
            <button type="button" className="link" onClick={() => openForm(undefined)}>
              + New profile…
            </button>
          </fieldset>
          {/* An app identity gets its token from the provider directly: no one signs in. */}
          <SignInMethodChoice method={method} onChange={setMethod} embeddedAvailable={embeddedAvailable} disabled={busy} hidden={selectedIsApp} />
          <Progress signIn={signIn} onCancel={() => void cancelSignIn()} />
          {failure ? (
            <div className="error-box" role="alert" data-testid="sign-in-error">
              <strong>{failure.title}</strong>
              <p>{failure.detail}</p>
            </div>
          ) : null}
          <div className="form-actions">
            <button type="button" onClick={close}>
              Close
            </button>
            <button type="submit" className="primary" disabled={busy || !profileId}>
              {failure ? 'Try again' : selectedIsApp ? 'Add app identity' : 'Sign in'}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
