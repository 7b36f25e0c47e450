/**
 * mermaid's own parser in Node: it needs a DOM, so a jsdom window is installed as the global
 * window/document once. `parseMermaid` throws on a chart GitHub would refuse to render.
 */
interface Mermaid {
  parse(text: string): Promise<unknown>;
}
interface Jsdom {
  JSDOM: new (html: string) => { window: { document: unknown } };
}

let loaded: Promise<Mermaid> | undefined;

async function load(): Promise<Mermaid> {
  // jsdom ships no types; a computed specifier keeps TypeScript from looking for them.
  const specifier = 'jsdom';
  const { JSDOM } = (await import(specifier)) as Jsdom;
  const dom = new JSDOM('<!doctype html><html><body></body></html>');
  const global = globalThis as unknown as Record<string, unknown>;
  global.window = dom.window;
  global.document = dom.window.document;
  const { default: mermaid } = (await import('mermaid')) as unknown as { default: Mermaid };
  return mermaid;
}

export async function parseMermaid(text: string): Promise<void> {
  loaded ??= load();
  await (await loaded).parse(text);
}

/** The body of every ```mermaid block in a markdown document. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1] ?? '');
}
