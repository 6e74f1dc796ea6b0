/**
 * Standing rules ("always allow this program for this account and these scopes"), kept in the
 * settings store as non-secret data, listed and revocable in Settings.
 */
import { randomUUID } from 'node:crypto';
import type { KeyValueStore } from '../persistence/settings-store';
import type { StandingRule } from './consent-types';

/** The settings-store key of the standing rules. */
export const STANDING_RULES_KEY = 'bridgeStandingRules';

/** At most this many rules are kept (the oldest unused go first). */
const MAX_RULES = 500;

function isRule(value: unknown): value is StandingRule {
  if (typeof value !== 'object' || value === null) return false;
  const rule = value as Record<string, unknown>;
  return (
    typeof rule.id === 'string' &&
    typeof rule.program === 'string' &&
    typeof rule.accountId === 'string' &&
    typeof rule.username === 'string' &&
    typeof rule.createdAt === 'number' &&
    Array.isArray(rule.scopes) &&
    rule.scopes.every((scope) => typeof scope === 'string')
  );
}

/** Whether every requested scope is among the allowed ones. */
export function scopesCovered(requested: readonly string[], allowed: readonly string[]): boolean {
  const set = new Set(allowed);
  return requested.every((scope) => set.has(scope));
}

/** The standing rules, read once and written through on every change. */
export class StandingRules {
  readonly #store: KeyValueStore;
  readonly #now: () => number;
  #rules: StandingRule[];

  constructor(store: KeyValueStore, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
    const raw = store.get(STANDING_RULES_KEY);
    // A hand-edited file loses only the entries that do not read.
    this.#rules = Array.isArray(raw) ? raw.filter(isRule) : [];
  }

  list(): readonly StandingRule[] {
    return this.#rules;
  }

  /** The rule that allows `program` to get `scopes` for `accountId`, if any. */
  find(program: string, accountId: string, scopes: readonly string[]): StandingRule | undefined {
    return this.#rules.find((rule) => rule.program === program && rule.accountId === accountId && scopesCovered(scopes, rule.scopes));
  }

  /** Adds a rule (or widens the program's rule for the account with the new scopes). */
  add(program: string, accountId: string, username: string, scopes: readonly string[]): StandingRule {
    const existing = this.#rules.find((rule) => rule.program === program && rule.accountId === accountId);
    const rule: StandingRule = existing
      ? { ...existing, scopes: [...new Set([...existing.scopes, ...scopes])].sort() }
      : { id: randomUUID(), program, accountId, username, scopes: [...new Set(scopes)].sort(), createdAt: this.#now() };
    this.#rules = [...this.#rules.filter((candidate) => candidate.id !== rule.id), rule];
    if (this.#rules.length > MAX_RULES) {
      this.#rules = [...this.#rules].sort((a, b) => (b.lastUsedAt ?? b.createdAt) - (a.lastUsedAt ?? a.createdAt)).slice(0, MAX_RULES);
    }
    this.#save();
    return rule;
  }

  /** Records a use, in memory only: a hand-out must not rewrite the settings file. */
  touch(id: string): void {
    this.#rules = this.#rules.map((rule) => (rule.id === id ? { ...rule, lastUsedAt: this.#now() } : rule));
  }

  /** Removes a rule; false when there was none with this id. */
  revoke(id: string): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((rule) => rule.id !== id);
    if (this.#rules.length === before) return false;
    this.#save();
    return true;
  }

  /** Removes every rule of an account (the account was removed). */
  revokeForAccount(accountId: string): void {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((rule) => rule.accountId !== accountId);
    if (this.#rules.length !== before) this.#save();
  }

  #save(): void {
    this.#store.set(STANDING_RULES_KEY, this.#rules);
  }
}
