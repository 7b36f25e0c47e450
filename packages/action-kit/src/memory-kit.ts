import {
  createVirtualClock,
  type Clock,
  readInputs,
  urlCredentials,
  capSummary,
} from '@cutover/kit';
import type { ActionKit, AnnotationTarget } from './kit.js';
import { createOutputGuard } from './output-guard.js';

export interface LogEntry {
  level: 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'group';
  message: string;
  target?: AnnotationTarget;
}

/**
 * An ActionKit that records everything in memory: for tests and for the local rehearsal. It
 * sends text through the same output guard as the core kit, so `logs`, `outputs` and `summary`
 * hold what the real kit would print (secrets masked, URL userinfo redacted, commands inert).
 */
export interface MemoryKit extends ActionKit {
  readonly outputs: Record<string, string>;
  readonly logs: LogEntry[];
  /** Every mask value registered: each secret whole, each of its lines, URL credentials read. */
  readonly masked: string[];
  summary: string;
}

export function createMemoryKit(
  options: {
    inputs?: Record<string, string>;
    env?: Record<string, string | undefined>;
    clock?: Clock;
    echo?: (line: string) => void;
  } = {},
): MemoryKit {
  const inputs = options.inputs ?? {};
  const echo = options.echo;
  const guard = createOutputGuard();
  const kit: MemoryKit = {
    env: options.env ?? {},
    clock: options.clock ?? createVirtualClock(Date.UTC(2026, 0, 1)),
    outputs: {},
    logs: [],
    masked: [],
    summary: '',
    readInputs: (schema) =>
      readInputs(schema, (name) => {
        const raw = inputs[name] ?? '';
        for (const credential of urlCredentials(raw)) kit.mask(credential);
        return raw;
      }),
    setOutput: (name, value) => {
      kit.outputs[name] = guard.forOutput(value);
    },
    mask: (secret) => {
      kit.masked.push(...guard.addSecret(secret));
    },
    debug: (message) => record('debug', message),
    info: (message) => record('info', message),
    notice: (message, target) => record('notice', message, target),
    warning: (message, target) => record('warning', message, target),
    error: (message, target) => record('error', message, target),
    group: async (name, body) => {
      record('group', name);
      return body();
    },
    appendSummary: (markdown) => {
      kit.summary = capSummary(kit.summary + guard.forSummary(markdown));
      return Promise.resolve();
    },
  };
  function record(level: LogEntry['level'], message: string, target?: AnnotationTarget): void {
    const printed = guard.forLog(message);
    if (target === undefined) kit.logs.push({ level, message: printed });
    else {
      const safeTarget =
        target.title === undefined ? target : { ...target, title: guard.forLog(target.title) };
      kit.logs.push({ level, message: printed, target: safeTarget });
    }
    echo?.(level === 'info' ? printed : `[${level}] ${printed}`);
  }
  return kit;
}
