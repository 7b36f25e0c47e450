import { registerHooks } from 'node:module';

/**
 * @actions/workflow-parser imports its JSON schemas without `with { type: 'json' }`, which
 * Node refuses when the package is loaded natively (as vitest loads node_modules, and tsx).
 * This hook adds the attribute for that package's JSON files only, then loads the parser.
 */
registerHooks({
  load(url, context, nextLoad) {
    if (url.includes('/@actions/workflow-parser/') && url.endsWith('.json'))
      return nextLoad(url, {
        ...context,
        importAttributes: { ...context.importAttributes, type: 'json' },
      });
    return nextLoad(url, context);
  },
});

const parser = await import('@actions/workflow-parser');
const guards = await import('@actions/workflow-parser/model/type-guards');
export const {
  NoOperationTraceWriter,
  convertWorkflowTemplate,
  isBasicExpression,
  isBoolean,
  isMapping,
  isNumber,
  isSequence,
  isString,
  parseWorkflow,
} = parser;
export const { isActionStep, isJob, isRunStep } = guards;
