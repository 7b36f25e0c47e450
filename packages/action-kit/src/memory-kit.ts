import { createVirtualClock, type Clock } from './clock.js';
import { readInputs } from './inputs.js';
import type { ActionKit, AnnotationTarget } from './kit.js';
import { capSummary } from './summary.js';

export interface LogEntry {
  level: 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'group';
  message: string;
  target?: AnnotationTarget;
}

/** An ActionKit that records everything in memory: for tests and for the local rehearsal. */
export interface MemoryKit extends ActionKit {
  readonly outputs: Record<string, string>;
  readonly logs: LogEntry[];
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
  const kit: MemoryKit = {
    env: options.env ?? {},
    clock: options.clock ?? createVirtualClock(Date.UTC(2026, 0, 1)),
    outputs: {},
    logs: [],
    masked: [],
    summary: '',
    readInputs: (schema) => readInputs(schema, (name) => inputs[name] ?? ''),
    setOutput: (name, value) => {
      kit.outputs[name] = value;
    },
    mask: (secret) => {
      kit.masked.push(secret);
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
      kit.summary = capSummary(kit.summary + markdown);
      return Promise.resolve();
    },
  };
  function record(level: LogEntry['level'], message: string, target?: AnnotationTarget): void {
    const redacted = kit.masked.reduce((text, secret) => text.split(secret).join('***'), message);
    kit.logs.push(
      target === undefined ? { level, message: redacted } : { level, message: redacted, target },
    );
    echo?.(level === 'info' ? redacted : `[${level}] ${redacted}`);
  }
  return kit;
}
