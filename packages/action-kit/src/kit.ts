import { type Clock, type InputSchema, type InputValues } from '@cutover/kit';

/** Where an annotation points; GitHub shows it on that file and line in the run and the PR. */
export interface AnnotationTarget {
  title?: string;
  file?: string;
  startLine?: number;
}

/**
 * Everything an action's main() may do to the outside world through the runner. The real one
 * wraps @actions/core (core-kit.ts); tests and the rehearsal use the in-memory one.
 */
export interface ActionKit {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  readInputs<S extends InputSchema>(schema: S): InputValues<S>;
  setOutput(name: string, value: string): void;
  mask(secret: string): void;
  debug(message: string): void;
  info(message: string): void;
  notice(message: string, target?: AnnotationTarget): void;
  warning(message: string, target?: AnnotationTarget): void;
  error(message: string, target?: AnnotationTarget): void;
  group<T>(name: string, body: () => Promise<T>): Promise<T>;
  /** Appends markdown to the job summary (capped at GitHub's 1 MiB limit). */
  appendSummary(markdown: string): Promise<void>;
}
