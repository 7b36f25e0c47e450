/**
 * Lines a reader takes for a task item that GitHub does not render as a checkbox, and invisible
 * characters that make the rendered line differ from its source. A gate that skipped them would
 * be lied to (an unticked "［ ］ Database" would not block), so each one becomes a finding that
 * fails the gate. The tables are deliberately small and explicit; the README lists them.
 */

/** Invisible format and bidirectional controls: flagged anywhere in a line that looks like an item. */
export const INVISIBLE_CONTROLS: Readonly<Record<string, string>> = {
  '\u00AD': 'SOFT HYPHEN',
  '\u061C': 'ARABIC LETTER MARK',
  '\u200B': 'ZERO WIDTH SPACE',
  '\u200C': 'ZERO WIDTH NON-JOINER',
  '\u200D': 'ZERO WIDTH JOINER',
  '\u200E': 'LEFT-TO-RIGHT MARK',
  '\u200F': 'RIGHT-TO-LEFT MARK',
  '\u202A': 'LEFT-TO-RIGHT EMBEDDING',
  '\u202B': 'RIGHT-TO-LEFT EMBEDDING',
  '\u202C': 'POP DIRECTIONAL FORMATTING',
  '\u202D': 'LEFT-TO-RIGHT OVERRIDE',
  '\u202E': 'RIGHT-TO-LEFT OVERRIDE',
  '\u2060': 'WORD JOINER',
  '\u2066': 'LEFT-TO-RIGHT ISOLATE',
  '\u2067': 'RIGHT-TO-LEFT ISOLATE',
  '\u2068': 'FIRST STRONG ISOLATE',
  '\u2069': 'POP DIRECTIONAL ISOLATE',
  '\uFEFF': 'ZERO WIDTH NO-BREAK SPACE',
};

/** The look-alike table: what may open and close a box, and what may stand inside it. */
export const LOOK_ALIKE_TABLE = {
  /** "[" and brackets that render like it. Any opener pairs with any closer. */
  open: ['[', '［', '【', '〔', '⟦'],
  close: [']', '］', '】', '〕', '⟧'],
  /** Up to four of these inside a box (no other character: "[y]" and "[1]" are text). */
  inside: [
    // blanks: space, tab, no-break and typographic spaces, ideographic space
    ' ',
    '\t',
    '\u00A0',
    '\u2000',
    '\u2001',
    '\u2002',
    '\u2003',
    '\u2004',
    '\u2005',
    '\u2006',
    '\u2007',
    '\u2008',
    '\u2009',
    '\u200A',
    '\u202F',
    '\u205F',
    '\u3000',
    // x and its look-alikes: Cyrillic, Greek, multiplication sign, fullwidth, ballot x
    'x',
    'X',
    'х',
    'Х',
    'χ',
    'Χ',
    '×',
    'ｘ',
    'Ｘ',
    '✕',
    '✖',
    '✗',
    '✘',
    '╳',
    '❌',
    '❎',
    // check marks and ticked boxes, with the emoji variation selector
    '✓',
    '✔',
    '☑',
    '☒',
    '✅',
    '√',
    '🗸',
    '\uFE0F',
  ],
  /** Glyphs that are a checkbox on their own, at the start of an item: "- ☐ text". */
  boxes: ['☐', '☑', '☒', '✅', '❎', '⬜', '□', '🔲', '🔳'],
  /** Bullets that are not Markdown list markers, so "• [ ] text" is a paragraph. */
  bullets: ['•', '◦', '‣', '∙', '·', '・', '–', '—', '−', '‐', '‑', '⁃', '＊', '－', '＋'],
} as const;

const escapeClass = (chars: readonly string[]) =>
  chars.map((c) => c.replace(/[\\\]^-]/g, '\\$&')).join('');
const CONTROL_RE = new RegExp(`[${escapeClass(Object.keys(INVISIBLE_CONTROLS))}]`, 'gu');
const { open, close, inside, boxes, bullets } = LOOK_ALIKE_TABLE;
// A Markdown list marker or a look-alike bullet, then blanks; repeated for "- • [ ] x".
const LEAD_RE = new RegExp(
  `^\\s*(?:(?:[-+*]|\\d{1,9}[.)]|[${escapeClass(bullets)}])(?=\\s|$)\\s*)*`,
  'u',
);
const BOX_RE = new RegExp(
  `^(?:[${escapeClass(open)}][${escapeClass(inside)}]{0,4}[${escapeClass(close)}]|(?:${boxes.join('|')})\\uFE0F?)`,
  'u',
);

/** The invisible controls in a text, as "U+202E (RIGHT-TO-LEFT OVERRIDE)", each once. */
export function invisibleControls(text: string): string[] {
  const found = new Set(text.match(CONTROL_RE) ?? []);
  return [...found].map((char) => `${codePoint(char)} (${INVISIBLE_CONTROLS[char] ?? 'control'})`);
}

/** The text with each invisible control spelled out, so logs and summaries show it. */
export function revealControls(text: string): string {
  return text.replace(CONTROL_RE, (char) => `{${codePoint(char)}}`);
}

/**
 * The look-alike box at the start of a line (list markers and bullets before it skipped,
 * invisible controls ignored), or undefined. `kind` says what else may follow the box: in the
 * first line of a list item anything but link syntax; elsewhere only a blank or the line end,
 * so prose that happens to start with "[x]" is not taken for an item.
 */
export function lookAlikeBox(line: string, kind: 'item' | 'text'): string | undefined {
  const visible = line.replace(CONTROL_RE, '');
  const rest = visible.slice(LEAD_RE.exec(visible)?.[0].length ?? 0);
  const box = BOX_RE.exec(rest)?.[0];
  if (box === undefined) return undefined;
  const after = rest.slice(box.length);
  if (kind === 'item' ? /^[([:]/.test(after) : !/^(?:\s|$)/u.test(after)) return undefined;
  return box;
}

/** The finding for a look-alike box, naming its characters and saying what to write instead. */
export function describeLookAlike(box: string, line: string): string {
  const odd = Array.from(box)
    .filter((char) => !/[[\] xX]/.test(char))
    .map(codePoint);
  const why =
    odd.length > 0
      ? `uses ${[...new Set(odd)].join(' ')}`
      : /^\[[ xX]\]$/.test(box)
        ? 'is not followed by a space and text, or sits where Markdown reads it as text'
        : 'is not "[ ]", "[x]" or "[X]"';
  const hidden = invisibleControls(line);
  return `looks like a task item but is not one: "${revealControls(box)}" ${why}${hidden.length > 0 ? `, and the line hides ${hidden.join(', ')}` : ''}; GitHub shows no checkbox, so the gate cannot count it. Write "- [ ] text" or "- [x] text" with ASCII brackets`;
}

/** The finding for a real item whose line hides controls. */
export function describeControls(hidden: readonly string[]): string {
  return `contains invisible ${hidden.join(', ')}: the rendered item can differ from its source, so its tick cannot be trusted. Remove the character(s)`;
}

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
