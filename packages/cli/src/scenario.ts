import type { RecordedSeries } from '@cutover/metrics';
import type { Plan } from '@cutover/plan';

/**
 * A rehearsal scenario names series by gate ("error-rate", "error-rate.traffic",
 * "error-rate.baseline"), so scenarios stay readable while plans carry real PromQL. This maps
 * them onto the plan's queries; a name that matches no gate is refused (a typo would
 * otherwise silently mean "no data").
 */
export function scenarioToQueries(
  plan: Plan,
  scenario: RecordedSeries,
  fileName: string,
): RecordedSeries {
  const byQuery: RecordedSeries = {};
  const key = (query: unknown) =>
    typeof query === 'string' ? query.trim() : JSON.stringify(query);
  const known = new Set<string>();
  for (const [name, gate] of Object.entries(plan.gates)) {
    const pairs: [string, unknown][] = [[name, gate.query]];
    if (gate.minTraffic !== undefined) pairs.push([`${name}.traffic`, gate.minTraffic.query]);
    if (gate.relative !== undefined) pairs.push([`${name}.baseline`, gate.relative.baseline]);
    for (const [seriesName, query] of pairs) {
      known.add(seriesName);
      const entries = scenario[seriesName];
      if (entries !== undefined) byQuery[key(query)] = entries;
    }
  }
  const unknown = Object.keys(scenario).filter((name) => !known.has(name));
  if (unknown.length > 0)
    throw new Error(
      `${fileName}: ${unknown.map((n) => `"${n}"`).join(', ')} match no gate of plan ${plan.name}; series names: ${[...known].join(', ')}`,
    );
  return byQuery;
}
