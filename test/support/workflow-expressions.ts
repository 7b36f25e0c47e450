import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';
import {
  isBasicExpression,
  isBoolean,
  isMapping,
  isNumber,
  isSequence,
  isString,
} from './workflow-parser.js';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';

/**
 * GitHub Actions expressions for the workflow harness: contexts are plain JSON-like objects,
 * evaluated by the official evaluator (@actions/expressions), with the status functions
 * (success, failure, cancelled, always) the runner adds, answered by the caller.
 */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type Contexts = Partial<
  Record<
    | 'github'
    | 'inputs'
    | 'vars'
    | 'needs'
    | 'strategy'
    | 'matrix'
    | 'secrets'
    | 'steps'
    | 'job'
    | 'jobs'
    | 'runner'
    | 'env',
    Json
  >
>;

export interface Status {
  success(): boolean;
  failure(): boolean;
  cancelled(): boolean;
}

const CONTEXT_NAMES = [
  'github',
  'inputs',
  'vars',
  'needs',
  'strategy',
  'matrix',
  'secrets',
  'steps',
  'job',
  'jobs',
  'runner',
  'env',
];

const toData = (value: Json): data.ExpressionData =>
  JSON.parse(JSON.stringify(value), data.reviver) as data.ExpressionData;
const fromData = (value: data.ExpressionData): Json =>
  JSON.parse(JSON.stringify(value, data.replacer)) as Json;

function functions(status: Status | undefined): Map<string, FunctionDefinition> {
  const flag = (name: string, answer: () => boolean): [string, FunctionDefinition] => [
    name,
    {
      name,
      minArgs: 0,
      maxArgs: 0,
      call: () => {
        if (status === undefined)
          throw new Error(`${name}() is only allowed in if: (job or step conditions)`);
        return new data.BooleanData(answer());
      },
    },
  ];
  return new Map([
    flag('success', () => status?.success() ?? false),
    flag('failure', () => status?.failure() ?? false),
    flag('cancelled', () => status?.cancelled() ?? false),
    flag('always', () => true),
    [
      'hashfiles',
      {
        name: 'hashFiles',
        minArgs: 1,
        maxArgs: 255,
        call: () => {
          throw new Error('hashFiles() is not supported by the workflow harness');
        },
      },
    ],
  ]);
}

function evaluate(expression: string, contexts: Contexts, status?: Status): data.ExpressionData {
  const fns = functions(status);
  const parsed = new Parser(
    new Lexer(expression).lex().tokens,
    CONTEXT_NAMES,
    [...fns.values()].map(({ name, minArgs, maxArgs }) => ({ name, minArgs, maxArgs })),
  ).parse();
  const context = new data.Dictionary(
    ...CONTEXT_NAMES.map((key) => ({ key, value: toData(contexts[key as keyof Contexts] ?? {}) })),
  );
  return new Evaluator(parsed, context, fns).evaluate();
}

/** Evaluates one expression (without ${{ }}) against the contexts. */
export function evaluateExpression(expression: string, contexts: Contexts): Json {
  return fromData(evaluate(expression, contexts));
}

/** The truth of an if: condition, as the runner coerces it. */
export function evaluateCondition(expression: string, contexts: Contexts, status: Status): boolean {
  return truthy(evaluate(expression, contexts, status));
}

/** A parsed template (a with:, env:, outputs: value, a strategy) evaluated to plain data. */
export function evaluateToken(token: TemplateToken, contexts: Contexts): Json {
  if (isBasicExpression(token)) return evaluateExpression(token.expression, contexts);
  if (isString(token)) return token.value;
  if (isNumber(token)) return token.value;
  if (isBoolean(token)) return token.value;
  if (isSequence(token)) return [...token].map((item) => evaluateToken(item, contexts));
  if (isMapping(token)) {
    const result: Record<string, Json> = {};
    for (const pair of token)
      result[asString(evaluateToken(pair.key, contexts))] = evaluateToken(pair.value, contexts);
    return result;
  }
  return null;
}

/** How the runner turns a value into an input or environment string. */
export function asString(value: Json | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A string with ${{ }} placeholders (an action.yml default) evaluated as the runner does. */
export function evaluateTemplateString(text: string, contexts: Contexts): string {
  return text.replace(/\$\{\{(.*?)\}\}/gs, (_all, expression: string) =>
    asString(evaluateExpression(expression.trim(), contexts)),
  );
}
