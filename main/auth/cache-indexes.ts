/**
 * The token cache's storage: one section per credential type, with indexes.
 *
 * Lookups go through in-memory indexes (by home account and environment, and for access tokens
 * also by client and realm), so a search costs the same with ten thousand accounts as with one;
 * expired access tokens are found through a min-heap of expiry times instead of a scan.
 */
import type { CredentialType } from './cache-types';
import { hasOwn, pyInt, pySplit, type Entry } from './python-compat';

// Most specific first; a search uses the first index whose fields all appear in its query.
const INDEXED_FIELDS: Readonly<Record<CredentialType, readonly (readonly string[])[]>> = {
  AccessToken: [
    ['home_account_id', 'environment', 'client_id', 'realm'],
    ['home_account_id', 'environment'],
  ],
  RefreshToken: [['home_account_id', 'environment']],
  IdToken: [['home_account_id', 'environment']],
  Account: [['home_account_id', 'environment']],
  AppMetadata: [['environment', 'client_id']],
};

function entryTargetScopes(entry: Entry): Set<string> {
  const target = entry['target'];
  return new Set(typeof target === 'string' ? pySplit(target) : []);
}

// Index tokens for field values that are not a string or null. A missing field and a non-string
// value are told apart from every string; a query can never ask for OTHER, so those never match.
const MISSING = Symbol('missing');
const OTHER = Symbol('other');
type FieldToken = string | null | typeof MISSING | typeof OTHER;

/** Index token of one field: the value itself for strings and null. */
function fieldToken(entry: Entry, field: string): FieldToken {
  const value = entry[field];
  if (value === undefined || !hasOwn(entry, field)) return MISSING;
  if (value === null || typeof value === 'string') return value;
  return OTHER;
}

/** Keys of one bucket: usually one, so the key itself until a second arrives. */
type Bucket = string | Set<string>;
// One level per indexed field; the last level holds buckets.
type IndexNode = Map<FieldToken, IndexNode | Bucket>;

const NO_KEYS: readonly string[] = [];

/**
 * Cache keys grouped by the values of a few fields, as a tree of Maps with one level per field.
 *
 * Keyed by the field values themselves, so a load builds no composite key strings; and a bucket
 * is a bare key until it holds two, since a Set per entry would dominate load time and memory.
 */
class FieldIndex {
  private readonly root: IndexNode = new Map();
  // Fields with few distinct values (environment, realm) first, so upper levels stay small.
  private readonly levels: readonly string[];

  constructor(readonly fields: readonly string[]) {
    this.levels = [...fields].reverse();
  }

  add(key: string, entry: Entry): void {
    const levels = this.levels;
    const last = levels.length - 1;
    let node = this.root;
    for (let i = 0; i < last; i++) {
      const token = fieldToken(entry, levels[i]!);
      let next = node.get(token) as IndexNode | undefined;
      if (next === undefined) node.set(token, (next = new Map()));
      node = next;
    }
    const token = fieldToken(entry, levels[last]!);
    const keys = node.get(token) as Bucket | undefined;
    if (keys === undefined) node.set(token, key);
    else if (typeof keys !== 'string') keys.add(key);
    else if (keys !== key) node.set(token, new Set([keys, key]));
  }

  remove(key: string, entry: Entry): void {
    const path: [IndexNode, FieldToken][] = [];
    let node = this.root;
    for (const field of this.levels) {
      const token = fieldToken(entry, field);
      path.push([node, token]);
      const next = node.get(token);
      if (next === undefined) return;
      if (path.length < this.levels.length) node = next as IndexNode;
    }
    const [leaf, token] = path[path.length - 1]!;
    const keys = leaf.get(token) as Bucket;
    if (typeof keys === 'string') {
      if (keys !== key) return;
      leaf.delete(token);
    } else {
      keys.delete(key);
      if (keys.size > 0) return;
      leaf.delete(token);
    }
    // Prune levels left empty, so a churning cache does not keep dead branches.
    for (let i = path.length - 1; i > 0 && path[i]![0].size === 0; i--) {
      const [parent, parentToken] = path[i - 1]!;
      parent.delete(parentToken);
    }
  }

  /** Keys stored in the bucket that `entry` itself belongs to. */
  keysLike(entry: Entry): Iterable<string> {
    return this.bucket(this.levels.map((field) => fieldToken(entry, field)));
  }

  /** Keys that may match `query`, or undefined when the query does not pin every indexed field. */
  lookup(query: Readonly<Record<string, unknown>>): Iterable<string> | undefined {
    const tokens: FieldToken[] = [];
    for (const field of this.levels) {
      if (!hasOwn(query, field)) return undefined;
      const v = query[field];
      if (v !== null && typeof v !== 'string') return undefined;
      tokens.push(v);
    }
    return this.bucket(tokens);
  }

  private bucket(tokens: readonly FieldToken[]): Iterable<string> {
    let found: IndexNode | Bucket | undefined = this.root;
    for (const token of tokens) {
      found = (found as IndexNode).get(token);
      if (found === undefined) return NO_KEYS;
    }
    return typeof found === 'string' ? [found] : (found as Set<string>);
  }
}

interface Slot {
  entry: Entry;
  readonly seq: number;
}

interface ExpiryItem {
  readonly at: number;
  readonly key: string;
  readonly entry: Entry;
}

/** Min-heap of access-token expiry times; stale items are skipped when popped. */
class ExpiryHeap {
  private items: ExpiryItem[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: ExpiryItem): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.at <= a[i]!.at) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }

  /** Replace the contents with `items` (taken over, not copied), heapified in linear time. */
  reset(items: ExpiryItem[]): void {
    this.items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  peek(): ExpiryItem | undefined {
    return this.items[0];
  }

  pop(): ExpiryItem | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(start: number): void {
    const a = this.items;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && a[l]!.at < a[m]!.at) m = l;
      if (r < a.length && a[r]!.at < a[m]!.at) m = r;
      if (m === i) break;
      [a[m], a[i]] = [a[i]!, a[m]!];
      i = m;
    }
  }
}

const PLAIN_DIGITS = /^\d{1,15}$/;

/** When an access token counts as expired: MSAL Python's `int(expires_on)`; unreadable never expires. */
function expiryOf(entry: Entry): number | undefined {
  const value = entry['expires_on'];
  // The usual spelling (a short string of digits) skips pyInt's general parse.
  if (typeof value === 'string' && PLAIN_DIGITS.test(value)) return Number(value);
  try {
    return pyInt(entry['expires_on'], 'expires_on');
  } catch {
    return undefined;
  }
}

/** One top-level section (`AccessToken`, …): entries by cache key in insertion order, plus indexes. */
export class Section {
  readonly slots = new Map<string, Slot>();
  private readonly indexes: readonly FieldIndex[];
  readonly expiry: ExpiryHeap | undefined;
  private nextSeq = 0;

  constructor(readonly type: CredentialType) {
    this.indexes = INDEXED_FIELDS[type].map((fields) => new FieldIndex(fields));
    this.expiry = type === 'AccessToken' ? new ExpiryHeap() : undefined;
  }

  put(key: string, entry: Entry): void {
    const slot = this.slots.get(key);
    if (slot) {
      for (const index of this.indexes) index.remove(key, slot.entry);
      slot.entry = entry; // same key keeps its position, as a Python dict does
    } else {
      this.slots.set(key, { entry, seq: this.nextSeq++ });
    }
    for (const index of this.indexes) index.add(key, entry);
    if (this.expiry) {
      const at = expiryOf(entry);
      if (at !== undefined) this.expiry.push({ at, key, entry });
      if (this.expiry.size > 2 * this.slots.size + 1024) this.rebuildExpiry();
    }
  }

  /**
   * Add an entry under a key this section does not hold yet, while loading.
   *
   * Skips `put`'s replace logic and the expiry heap; call `finishLoad` once after the last one.
   */
  append(key: string, entry: Entry): void {
    this.slots.set(key, { entry, seq: this.nextSeq++ });
    for (const index of this.indexes) index.add(key, entry);
  }

  /** Build the expiry heap for entries added by `append`. */
  finishLoad(): void {
    this.rebuildExpiry();
  }

  delete(key: string): boolean {
    const slot = this.slots.get(key);
    if (!slot) return false;
    for (const index of this.indexes) index.remove(key, slot.entry);
    this.slots.delete(key);
    return true;
  }

  /** The key under which this exact entry object is stored, if it is. */
  storedKeyOf(entry: object): string | undefined {
    // A stored entry is frozen, so it still sits in the bucket its own fields name; a WeakMap
    // from entry to key would cost an ephemeron per entry on every load.
    if (!Object.isFrozen(entry)) return undefined;
    const index = this.indexes[0];
    if (!index) return undefined;
    for (const key of index.keysLike(entry as Entry)) {
      if (this.slots.get(key)?.entry === entry) return key;
    }
    return undefined;
  }

  /** Slots that may match `query`, in insertion order. */
  candidates(query: Readonly<Record<string, unknown>>): Iterable<[string, Slot]> {
    for (const index of this.indexes) {
      const keys = index.lookup(query);
      if (keys === undefined) continue;
      const found: [string, Slot][] = [];
      for (const key of keys) {
        const slot = this.slots.get(key);
        if (slot) found.push([key, slot]);
      }
      return found.sort((a, b) => a[1].seq - b[1].seq);
    }
    return this.slots.entries();
  }

  private rebuildExpiry(): void {
    if (!this.expiry) return;
    const items: ExpiryItem[] = [];
    for (const [key, { entry }] of this.slots) {
      const at = expiryOf(entry);
      if (at !== undefined) items.push({ at, key, entry });
    }
    this.expiry.reset(items);
  }
}

export function matches(entry: Entry, query: Readonly<Record<string, unknown>>, target: readonly string[]): boolean {
  // Python's `dict(entry, **query) == entry`: every query key present with an equal value.
  for (const [k, v] of Object.entries(query)) {
    if (!hasOwn(entry, k) || entry[k] !== v) return false;
  }
  if (target.length === 0) return true;
  // A Set only pays off for long lists; a search usually asks for one or two scopes.
  if (target.length > 4) {
    const scopes = entryTargetScopes(entry);
    return target.every((s) => scopes.has(s));
  }
  const value = entry['target'];
  const scopes = typeof value === 'string' ? pySplit(value) : [];
  for (const s of target) if (!scopes.includes(s)) return false;
  return true;
}

