/**
 * The AWS query protocol shared by the ELBv2 and CloudFormation fakes (and XML escaping for
 * every XML-speaking fake): form-encoded requests in, XML out.
 */
export type Json = string | number | boolean | Json[] | { [key: string]: Json };

/** Query-protocol keys (Parameters.member.2.ParameterValue) to nested JSON. */
export function unflatten(params: URLSearchParams): Record<string, Json> {
  const root: Record<string, Json> = {};
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version') continue;
    const parts = key.split('.');
    let node: Record<string, Json> | Json[] = root;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? '';
      const last = i === parts.length - 1;
      if (part === 'member') continue;
      const isIndex = /^\d+$/.test(part);
      const nextIsList = parts[i + 1] === 'member';
      const slot = isIndex ? Number(part) - 1 : part;
      const container = node as Record<string | number, Json>;
      if (last) container[slot] = value;
      else {
        container[slot] ??= nextIsList ? [] : {};
        node = container[slot] as Record<string, Json> | Json[];
      }
    }
  }
  return root;
}

export function toXml(value: Json): string {
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object')
    return Object.entries(value)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  return escapeXml(String(value));
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
