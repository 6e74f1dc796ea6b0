/**
 * Provider profiles as the app serves them: the registry's profiles plus their client secrets and
 * private keys, which live with the encrypted token cache (never in the settings file) and never go
 * back to the renderer — a profile view says only whether one is saved.
 */
import type { ProfileDraft, ProfileId, ProviderProfile } from '../../preload/contract';
import { AppError } from '../errors';
import type { AccountRegistry } from './accounts';
import type { AccountViews } from './account-views';
import { registerMaterial, type CachePersistence } from './cache-persistence';
import { checkCaFile, checkSecretFields, DEMO_PROFILE_ID, listPresets, validateProfile, type ProfileRegistry } from './profiles';
import type { TokenService } from './tokens';

/** What {@link ProfileService} works with. */
export interface ProfileServiceDeps {
  readonly profiles: ProfileRegistry;
  readonly accounts: AccountRegistry;
  readonly persistence: CachePersistence;
  readonly tokens: TokenService;
  /** Late-bound: the views are built after the profiles. */
  readonly views: () => AccountViews;
}

/** The profile operations of the contract. */
export class ProfileService {
  readonly #deps: ProfileServiceDeps;

  constructor(deps: ProfileServiceDeps) {
    this.#deps = deps;
  }

  list(): ProviderProfile[] {
    return this.#deps.profiles.list().map((profile) => this.#view(profile));
  }

  presets() {
    return listPresets(this.#deps.profiles.find(DEMO_PROFILE_ID));
  }

  validate(draft: ProfileDraft) {
    registerDraftSecrets(draft);
    return validateProfile(draft, (profile) => this.#deps.tokens.discover(profile), this.#savedCredentialKind(draft.id));
  }

  save(draft: ProfileDraft): ProviderProfile {
    const { profiles, accounts, persistence, tokens } = this.#deps;
    registerDraftSecrets(draft);
    // The secret and CA checks the registry cannot make: it knows neither secrets nor files.
    const problem = Object.values(checkSecretFields(draft, this.#savedCredentialKind(draft.id)))[0] ?? (draft.caFile?.trim() ? checkCaFile(draft.caFile) : undefined);
    if (problem) throw new AppError('invalid_profile', problem);
    const existing = draft.id ? profiles.find(draft.id) : undefined;
    if (existing && (existing.grant === 'app') !== (draft.grant === 'app') && accounts.list().some((r) => r.profileId === existing.id)) {
      throw new AppError('profile_in_use', 'Remove the accounts of this profile before switching it between user sign-in and app identity.');
    }
    const profile = profiles.save(draft);
    // Secrets go to the encrypted store only after the profile (without them) was saved.
    if (!profile.clientAuth) persistence.deleteSecret(profile.id);
    else if (draft.clientSecret !== undefined && profile.clientAuth.kind === 'secret') persistence.setSecret(profile.id, { clientSecret: draft.clientSecret });
    else if (draft.privateKey !== undefined && profile.clientAuth.kind === 'certificate') persistence.setSecret(profile.id, { privateKey: draft.privateKey.trim() });
    tokens.forget(profile.id); // a client built with the old secret must not be reused
    this.#deps.views().emitAccounts(); // profile names and statuses (new default scopes) may have changed
    return this.#view(profile);
  }

  delete(profileId: ProfileId): void {
    const inUse = this.#deps.accounts.list().filter((r) => r.profileId === profileId).length;
    if (inUse > 0) throw new AppError('profile_in_use', `Remove the ${inUse} account${inUse === 1 ? '' : 's'} of this profile first.`);
    this.#deps.profiles.delete(profileId);
    this.forgetCredential(profileId);
  }

  /** Forgets a profile's secret and the client built with it (profile deleted, app identity removed). */
  forgetCredential(profileId: ProfileId): void {
    this.#deps.persistence.deleteSecret(profileId);
    this.#deps.tokens.forget(profileId);
  }

  // What the renderer sees: whether the secret is saved, never the secret.
  #view(profile: ProviderProfile): ProviderProfile {
    if (!profile.clientAuth) return profile;
    return { ...profile, clientAuth: { ...profile.clientAuth, saved: this.#deps.tokens.hasCredential(profile) } };
  }

  #savedCredentialKind(profileId: ProfileId | undefined): 'secret' | 'certificate' | undefined {
    const material = profileId ? this.#deps.persistence.secretOf(profileId) : undefined;
    return material ? ('clientSecret' in material ? 'secret' : 'certificate') : undefined;
  }
}

// A secret is registered with the redactor the moment it enters, before any message could quote it.
function registerDraftSecrets(draft: ProfileDraft): void {
  if (draft.clientSecret) registerMaterial({ clientSecret: draft.clientSecret });
  if (draft.privateKey) registerMaterial({ privateKey: draft.privateKey });
}
