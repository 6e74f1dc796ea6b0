/**
 * A small command-line reader shared by the integrations: `--flag value`, `--flag=value`,
 * boolean flags and positionals, with unknown flags reported rather than guessed at.
 */
import { IntegrationError } from './get-token';

/** How the reader treats a flag. */
export interface FlagSpec {
  /** `value`: takes the next argument (or `=value`); `boolean`: takes none. */
  readonly kind: 'value' | 'boolean';
  /** May appear more than once (values are collected in order). */
  readonly repeat?: boolean;
}

/** What {@link readArgs} found. */
export interface ReadArgs {
  readonly flags: ReadonlyMap<string, readonly string[]>;
  readonly positionals: readonly string[];
  /** Flags not in the spec, by name only (their values may be secrets and are never kept). */
  readonly unknown: readonly string[];
}

/**
 * Reads `args` against `spec` (flag names with their dashes, e.g. `--scope`, `-l`).
 *
 * An unknown flag is skipped together with its value when `unknownTakesValue` says it has one;
 * with `unknown: 'error'` it is a usage error instead.
 */
export function readArgs(
  args: readonly string[],
  spec: Readonly<Record<string, FlagSpec>>,
  options: { readonly unknown: 'error' | 'collect'; readonly unknownTakesValue?: (flag: string, next: string | undefined) => boolean } = { unknown: 'error' },
): ReadArgs {
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  const unknown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const flag = spec[name];
    if (!flag) {
      if (options.unknown === 'error') throw new IntegrationError('usage', `Unknown option ${name.slice(0, 64)}. Run \`tessera help\` for the options.`);
      unknown.push(name.slice(0, 64));
      if (inline === undefined && options.unknownTakesValue?.(name, args[i + 1])) i++;
      continue;
    }
    let value: string;
    if (flag.kind === 'boolean') {
      if (inline !== undefined) throw new IntegrationError('usage', `${name} takes no value.`);
      value = 'true';
    } else if (inline !== undefined) {
      value = inline;
    } else {
      const next = args[i + 1];
      if (next === undefined) throw new IntegrationError('usage', `${name} needs a value.`);
      value = next;
      i++;
    }
    const list = flags.get(name) ?? [];
    if (list.length > 0 && !flag.repeat) throw new IntegrationError('usage', `${name} may be given only once.`);
    list.push(value);
    flags.set(name, list);
  }
  return { flags, positionals, unknown };
}

/** The single value of a flag, if given. */
export function flagValue(read: ReadArgs, ...names: readonly string[]): string | undefined {
  for (const name of names) {
    const values = read.flags.get(name);
    if (values && values.length > 0) return values[values.length - 1];
  }
  return undefined;
}

/** Every value of a (repeatable) flag, in order. */
export function flagValues(read: ReadArgs, ...names: readonly string[]): string[] {
  return names.flatMap((name) => [...(read.flags.get(name) ?? [])]);
}

/** A whole number of seconds from a flag value, or a usage error naming the flag. */
export function secondsValue(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,6}$/.test(value) || Number(value) > 86_400) throw new IntegrationError('usage', `${flag} takes a number of seconds from 0 to 86400.`);
  return Number(value);
}
