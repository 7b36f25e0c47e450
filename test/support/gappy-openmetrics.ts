/**
 * OpenMetrics text (promtool backfill input) for counters whose scrapes go missing: the counter
 * keeps counting, but samples are only written while `present(t)` holds, as when a candidate
 * loses its scrape target for a while. Times are seconds since `startS`.
 */
export interface GappySeries {
  name: string;
  labels: Record<string, string>;
  ratePerSecond: (t: number) => number;
  present: (t: number) => boolean;
}

export function gappyCounterOpenMetrics(
  series: GappySeries[],
  startS: number,
  durationS: number,
  stepS: number,
): string {
  const families = new Map<string, GappySeries[]>();
  for (const s of series) families.set(s.name, [...(families.get(s.name) ?? []), s]);
  const lines: string[] = [];
  for (const [name, members] of families) {
    lines.push(`# TYPE ${name.replace(/_total$/, '')} counter`);
    for (const member of members) {
      const labels = Object.entries(member.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      let total = 0;
      for (let t = 0; t <= durationS; t += stepS) {
        total += member.ratePerSecond(t) * stepS;
        if (member.present(t)) lines.push(`${name}{${labels}} ${total.toFixed(3)} ${startS + t}`);
      }
    }
  }
  return `${lines.join('\n')}\n# EOF\n`;
}
