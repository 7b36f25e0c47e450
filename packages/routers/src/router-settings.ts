import { v, type AdapterDefinition, type Clock } from '@cutover/kit';
import type { KubeClient } from '@cutover/kubernetes';
import type { RouterTarget } from '@cutover/traffic';

/** What a router factory gets besides its settings. */
export interface RouterContext {
  clock: Clock;
  /** Resolves a file setting (the file router's `path`), refusing one outside the workspace. */
  resolvePath: (path: string) => string;
  /** One Kubernetes client per run, shared by every object of the router. */
  kubeClient?: (options: {
    kubeconfig?: string | undefined;
    context?: string | undefined;
  }) => KubeClient;
}

/** A router: its `kind`, a schema of its settings (the rest of the plan's `router:`) and a factory. */
export type RouterDefinition<Settings = unknown> = AdapterDefinition<
  Settings,
  RouterContext,
  RouterTarget[]
>;

/** A value as a message shows it: `nothing`, `"text"`, `5`, cut at 80 characters. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (typeof text !== 'string') text = `a ${typeof value}`;
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** What each field expects, for the message of a missing required setting. */
const described = new WeakMap<object, string>();

function expected(what: string) {
  return (issue: { input: unknown }) => `expected ${what}, got ${show(issue.input)}`;
}

/** A non-empty string, optionally matching `pattern`, at most `max` characters. */
export function text(what: string, pattern?: RegExp, max = 1024) {
  const message = expected(what);
  const schema = v.pipe(
    v.string(message),
    v.check((s) => s.trim() !== '' && s.length <= max && (pattern?.test(s) ?? true), message),
  );
  described.set(schema, what);
  return schema;
}

/** One of a fixed list of strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(choices: T) {
  const schema = v.picklist(
    choices,
    (issue) => `expected one of ${choices.join(', ')}, got ${show(issue.input)}`,
  );
  described.set(schema, `one of ${choices.join(', ')}`);
  return schema;
}

/** A non-empty list of distinct items. */
export function list<T extends v.GenericSchema<unknown, string>>(item: T, what: string) {
  const message = expected(what);
  const schema = v.pipe(
    v.array(item, message),
    v.check((items) => items.length > 0 && new Set(items).size === items.length, message),
  );
  described.set(schema, what);
  return schema;
}

/** A non-empty map of string keys and values, each checked. */
export function stringMap(
  what: string,
  key: v.GenericSchema<string, string>,
  value: v.GenericSchema<unknown, string>,
) {
  const message = expected(what);
  const schema = v.pipe(
    v.record(key, value, message),
    v.check((map) => Object.keys(map).length > 0, message),
  );
  described.set(schema, what);
  return schema;
}

export function kindOf<const K extends string>(kind: K) {
  return v.literal(kind, (issue) => `expected "${kind}", got ${show(issue.input)}`);
}

export const endpoint = text(
  'an http(s) URL like "http://localhost:4566" (tests and emulators only)',
  /^https?:\/\/[^\s/]+(\/\S*)?$/,
);

/**
 * A mapping of settings that refuses keys it does not know (a typo must not be ignored), lists
 * the allowed keys, and says what a missing required key expects.
 */
export function settingsObject<const E extends v.ObjectEntries>(entries: E, what?: string) {
  const allowed = Object.keys(entries);
  const schema = v.strictObject(entries, (issue) => {
    if (issue.expected === 'never') {
      const key = String(issue.input);
      const near = allowed.find((a) => a.startsWith(key) || key.startsWith(a));
      return `unknown setting${near === undefined ? '' : ` (did you mean ${near}?)`}; allowed: ${allowed.join(', ')}`;
    }
    const missing = /^"(.*)"$/.exec(issue.expected)?.[1];
    const entry = missing === undefined ? undefined : entries[missing];
    if (entry !== undefined)
      return `expected ${described.get(entry) ?? 'a value'}, got ${show(issue.input)}`;
    return `expected ${what ?? `a mapping with ${allowed.join(', ')}`}, got ${show(issue.input)}`;
  });
  described.set(schema, what ?? `a mapping with ${allowed.join(', ')}`);
  return schema;
}
