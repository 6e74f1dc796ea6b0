/**
 * Minimal typings for `oidc-provider@9`, which ships none.
 *
 * Only the members the test identity provider uses are declared; see the package source for the rest.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** A JSON-ish record. */
  type Bag = Record<string, unknown>;

  /** The Koa context the provider hands to its hooks and middleware. */
  export interface KoaContextWithOIDC {
    req: IncomingMessage;
    res: ServerResponse;
    status: number;
    body: unknown;
    type: string;
    method: string;
    path: string;
    href: string;
    query: Record<string, string | string[] | undefined>;
    oidc: OIDCContext;
    set(name: string, value: string): void;
  }

  /** `ctx.oidc`. */
  export interface OIDCContext {
    readonly route: string;
    readonly issuer: string;
    readonly provider: Provider;
    readonly client?: ClientInstance;
    readonly params: Record<string, string | undefined> & Bag;
    readonly entities: {
      readonly Account?: Account;
      readonly AccessToken?: { accountId?: string };
      readonly ClientCredentials?: unknown;
      readonly Grant?: GrantInstance;
      readonly RefreshToken?: { accountId?: string };
    };
    entity(name: string, value: unknown): void;
    urlFor(name: string, params?: Bag): string;
  }

  /** A registered client as the provider sees it. */
  export interface ClientInstance {
    readonly clientId: string;
    readonly clientAuthMethod: string;
    grantTypeAllowed(grant: string): boolean;
  }

  /** What `findAccount` returns. */
  export interface Account {
    accountId: string;
    claims(use: string, scope: string, claims: Bag, rejected: string[]): Promise<Bag> | Bag;
  }

  /** A stored grant (consent record). */
  export interface GrantInstance {
    readonly jti: string;
    accountId?: string;
    clientId?: string;
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    addOIDCClaims(claims: string[]): void;
    save(ttl?: number): Promise<string>;
    destroy(): Promise<void>;
  }

  /** A token model instance (access token, refresh token). */
  export interface TokenInstance {
    jti: string;
    scope?: string;
    accountId?: string;
    expiration: number;
    tokenType?: string;
    resourceServer?: unknown;
    save(): Promise<string>;
  }

  /** An id token under construction. */
  export interface IdTokenInstance {
    scope: string;
    mask: Record<string, unknown>;
    rejected: string[];
    set(name: string, value: unknown): void;
    issue(options: { use: 'idtoken' }): Promise<string>;
  }

  /** The interaction details of `interactionDetails`. */
  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; details: Bag & { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]>; missingOIDCClaims?: string[] } };
    params: Bag & { client_id: string; scope?: string };
    session?: { accountId?: string };
    grantId?: string;
  }

  /** An adapter instance (see the package's memory adapter). */
  export interface Adapter {
    upsert(id: string, payload: Bag, expiresIn: number): Promise<void>;
    find(id: string): Promise<Bag | undefined>;
    findByUserCode(userCode: string): Promise<Bag | undefined>;
    findByUid(uid: string): Promise<Bag | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  /** Constructor arguments and statics of the model classes we use. */
  interface ModelClass<T> {
    new (payload: Bag, options?: Bag): T;
    find(id: string, options?: Bag): Promise<T | undefined>;
  }

  /** The provider (a Koa application). */
  export class Provider {
    constructor(issuer: string, configuration: Bag);
    readonly issuer: string;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    use(middleware: (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    registerGrantType(name: string, handler: (ctx: KoaContextWithOIDC) => Promise<void>, params?: string[] | Set<string>, dupes?: string[] | Set<string>): void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Bag, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    readonly Grant: ModelClass<GrantInstance>;
    readonly AccessToken: ModelClass<TokenInstance>;
    readonly RefreshToken: ModelClass<TokenInstance>;
    readonly IdToken: ModelClass<IdTokenInstance>;
    readonly ResourceServer: new (identifier: string, info: Bag) => unknown;
  }

  /** Error classes; each renders as an OAuth error response. */
  export const errors: {
    InvalidGrant: new (description?: string) => Error;
    InvalidRequest: new (description?: string) => Error;
    InvalidScope: new (description?: string, scope?: string) => Error;
    InvalidTarget: new (description?: string) => Error;
    InvalidClient: new (description?: string) => Error;
    CustomOIDCProviderError: new (error: string, description: string) => Error;
  };
}
