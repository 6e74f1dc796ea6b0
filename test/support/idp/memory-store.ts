/**
 * The in-memory storage behind every oidc-provider instance of one test identity provider.
 *
 * Unlike the package's own memory adapter it is per test provider (no global state shared between
 * runs) and can list grants, which `revokeGrantsFor` needs.
 */
import type { Adapter } from 'oidc-provider';

type Payload = Record<string, unknown>;

interface Entry {
  payload: Payload;
  expiresAt: number;
}

/** Storage shared by the provider instances of one test IdP, keyed by model name. */
export class MemoryStore {
  private readonly models = new Map<string, Map<string, Entry>>();

  /** The adapter factory oidc-provider's `adapter` option expects. */
  readonly adapterFactory = (name: string): Adapter => this.adapter(name);

  private table(name: string): Map<string, Entry> {
    let table = this.models.get(name);
    if (!table) {
      table = new Map();
      this.models.set(name, table);
    }
    return table;
  }

  private live(name: string, id: string): Entry | undefined {
    const table = this.table(name);
    const entry = table.get(id);
    if (entry && entry.expiresAt <= Date.now()) {
      table.delete(id);
      return undefined;
    }
    return entry;
  }

  /** Ids and payloads of the live entries of one model. */
  entries(name: string): [string, Payload][] {
    const out: [string, Payload][] = [];
    for (const id of [...this.table(name).keys()]) {
      const entry = this.live(name, id);
      if (entry) out.push([id, entry.payload]);
    }
    return out;
  }

  /** Deletes every token of any model that belongs to the grant. */
  revokeGrant(grantId: string): void {
    for (const table of this.models.values()) {
      for (const [id, entry] of table) {
        if (entry.payload.grantId === grantId) table.delete(id);
      }
    }
    this.table('Grant').delete(grantId);
  }

  private adapter(name: string): Adapter {
    const find = (predicate: (payload: Payload) => boolean): Payload | undefined =>
      this.entries(name).find(([, payload]) => predicate(payload))?.[1];
    return {
      upsert: async (id, payload, expiresIn) => {
        const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
        this.table(name).set(id, { payload: { ...payload }, expiresAt });
      },
      find: async (id) => {
        const entry = this.live(name, id);
        return entry ? { ...entry.payload } : undefined;
      },
      findByUserCode: async (userCode) => find((payload) => payload.userCode === userCode),
      findByUid: async (uid) => find((payload) => payload.uid === uid),
      consume: async (id) => {
        const entry = this.live(name, id);
        if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => {
        this.table(name).delete(id);
      },
      revokeByGrantId: async (grantId) => {
        this.revokeGrant(grantId);
      },
    };
  }
}
