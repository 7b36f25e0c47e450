/**
 * Lines a reader takes for a task item that GitHub does not render as a checkbox, and invisible
 * characters that make the rendered line differ from its source. A gate that skipped them would
 * be lied to (an unticked "［ ］ Database" would not block), so each one becomes a finding that
 * fails the gate. Classified by Unicode properties, not by a list of characters, because a list
 * always misses one: the README states the rules.
 */

/** Names of common invisible format and bidirectional controls, for messages. */
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

/**
 * Characters that break a line on screen but not in Markdown (CommonMark ends lines only at
 * LF, CR and CRLF): text after one stays inside the item above, so a box there is never counted.
 */
export const LINE_SEPARATORS: Readonly<Record<string, string>> = {
  '\u000B': 'LINE TABULATION (VT)',
  '\u000C': 'FORM FEED (FF)',
  '\u0085': 'NEXT LINE (NEL)',
  '\u2028': 'LINE SEPARATOR',
  '\u2029': 'PARAGRAPH SEPARATOR',
};

/**
 * Flagged anywhere in an item: every format control (\p{Cf}), every C0/C1 control (\p{Cc})
 * but tab, LF and CR, and the line and paragraph separators (\p{Zl}, \p{Zp}). A class, not a
 * list, so a control nobody thought of is flagged too; the tables only name the common ones.
 */
const CONTROL_RE = /(?![\t\n\r])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const SEPARATOR_RE = /[\v\f\u0085\u2028\u2029]/u;

/** Renders as nothing or as blank space: spaces, controls, combining marks, fillers. */
const BLANK = '\\p{Z}\\p{Cc}\\p{Cf}\\p{Mn}\\p{Me}\\u115F\\u1160\\u3164\\uFFA0\\u2800';
const BLANK_RE = new RegExp(`^[${BLANK}]$`, 'u');
const BLANKS_RE = new RegExp(`^[${BLANK}]*`, 'u');
/** Letters and symbols read as an "x" that NFKC does not fold to one (Cyrillic, Greek, …). */
const X_LIKE = new Set(Array.from('хХҳҲӽӼӿӾχΧ×╳☓⨯⨉⤫⤬ᕁ᙮ⵝꭓ'));
/** Symbols used like brackets that Unicode does not class as opening/closing punctuation. */
const EXTRA_OPENERS = new Set(Array.from('⎡⎣⎛⎝⌜⌞'));
const EXTRA_CLOSERS = new Set(Array.from('⎤⎦⎞⎠⌝⌟'));
/**
 * Box, square, ballot, check and cross glyphs of the Geometric Shapes, Misc Symbols, Dingbats,
 * Misc Technical and pictograph blocks, as code point ranges. Only these: circles, stars,
 * arrows and other emoji stay ordinary bullets ("- ⚠️ Note", "- ✨ New").
 */
const BOX_GLYPH_RANGES: readonly (readonly [number, number])[] = [
  [0x221a, 0x221a], // √
  [0x2327, 0x2327], // ⌧
  [0x237b, 0x237b], // ⍻
  [0x2395, 0x2395], // ⎕
  [0x25a0, 0x25ab], // ■ □ ▢ ▣ … ▪ ▫
  [0x25e7, 0x25eb], // ◧ ◨ ◩ ◪ ◫
  [0x25f0, 0x25f3], // ◰ ◱ ◲ ◳
  [0x25fb, 0x25fe], // ◻ ◼ ◽ ◾
  [0x2610, 0x2613], // ☐ ☑ ☒ ☓
  [0x2705, 0x2705], // ✅
  [0x2713, 0x2718], // ✓ ✔ ✕ ✖ ✗ ✘
  [0x274c, 0x274c], // ❌
  [0x274e, 0x2752], // ❎ ❏ ❐ ❑ ❒
  [0x2b1a, 0x2b1c], // ⬚ ⬛ ⬜
  [0x2bc0, 0x2bc0], // ⯀
  [0x1f532, 0x1f533], // 🔲 🔳
  [0x1f5f4, 0x1f5f9], // 🗴 🗵 🗶 🗷 🗸 🗹
  [0x1f78e, 0x1f794], // 🞎 … 🞔
  [0x1f7e5, 0x1f7eb], // 🟥 … 🟫
];
/** A Markdown list marker, or one punctuation or symbol character used as a bullet ("• [ ] a"). */
const MARKER_RE = /^(?:[-+*]|\d{1,9}[.)]|[\p{P}\p{S}]\uFE0F?)(?=[\s\p{Z}]|$)/u;
/** At most this many characters inside a box (combining marks and controls not counted). */
const MAX_INSIDE = 4;

/** A box, square, ballot, check or cross glyph (see BOX_GLYPH_RANGES). */
export function isBoxGlyph(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return BOX_GLYPH_RANGES.some(([from, to]) => code >= from && code <= to);
}

/** What may stand inside a look-alike box: blank-rendering, dash-like, x-like or check-like. */
export function isBoxContent(char: string): boolean {
  return (
    BLANK_RE.test(char) ||
    /^\p{Pd}$/u.test(char) ||
    char.normalize('NFKC').toLowerCase() === 'x' ||
    X_LIKE.has(char) ||
    isBoxGlyph(char)
  );
}

const isOpener = (char: string) => /^\p{Ps}$/u.test(char) || EXTRA_OPENERS.has(char);
const isCloser = (char: string) => /^\p{Pe}$/u.test(char) || EXTRA_CLOSERS.has(char);

/** The box at the very start of `text`: a bracket pair around box content, or a box glyph. */
function boxAtStart(text: string): string | undefined {
  const chars = Array.from(text.slice(0, 64));
  const first = chars[0];
  if (first === undefined) return undefined;
  if (isBoxGlyph(first)) {
    let length = first.length;
    for (const char of chars.slice(1)) {
      if (!/^\p{M}$/u.test(char)) break; // a variation selector or combining mark belongs to it
      length += char.length;
    }
    return text.slice(0, length);
  }
  if (!isOpener(first)) return undefined;
  let length = first.length;
  let visible = 0;
  for (const char of chars.slice(1)) {
    if (isCloser(char)) {
      // "()" and "{}" are code, not an empty box; "[]", "〚〛" and "( )" look like one.
      if (length === first.length && /^[({]$/.test(first.normalize('NFKC'))) return undefined;
      return text.slice(0, length + char.length);
    }
    if (!isBoxContent(char)) return undefined;
    if (!/^[\p{M}\p{Cf}]$/u.test(char) && ++visible > MAX_INSIDE) return undefined;
    length += char.length;
  }
  return undefined;
}

/** `text` after the list markers, bullets and blank-rendering characters before a box. */
function skipLead(text: string): string {
  let rest = text;
  for (;;) {
    rest = rest.slice(BLANKS_RE.exec(rest)?.[0].length ?? 0);
    const marker = MARKER_RE.exec(rest)?.[0];
    const first = Array.from(rest.slice(0, 2))[0] ?? '';
    if (marker === undefined || isOpener(first) || isCloser(first) || isBoxGlyph(first))
      return rest;
    rest = rest.slice(marker.length);
  }
}

/** The invisible controls in a text, as "U+202E (RIGHT-TO-LEFT OVERRIDE)", each once. */
export function invisibleControls(text: string): string[] {
  const found = new Set(text.match(CONTROL_RE) ?? []);
  return [...found].map((char) => `${codePoint(char)} (${controlName(char)})`);
}

/** The text with each invisible control spelled out, so logs and summaries show it. */
export function revealControls(text: string): string {
  return text.replace(CONTROL_RE, (char) => `{${codePoint(char)}}`);
}

/**
 * The look-alike box at the start of a line (list markers and bullets before it skipped,
 * invisible controls ignored) or right after a line separator inside it, or undefined. `kind`
 * says what else may follow a box at the start: in the first line of a list item anything but
 * link syntax; elsewhere only a blank or the line end, so prose that happens to start with
 * "[x]" is not taken for an item.
 */
export function lookAlikeBox(line: string, kind: 'item' | 'text'): string | undefined {
  const [first = '', ...hidden] = line.split(SEPARATOR_RE);
  return (
    boxInSegment(first, kind) ??
    hidden.map((segment) => boxInSegment(segment, 'text')).find((box) => box !== undefined)
  );
}

function boxInSegment(segment: string, kind: 'item' | 'text'): string | undefined {
  const rest = skipLead(segment.replace(CONTROL_RE, ''));
  const box = boxAtStart(rest);
  if (box === undefined) return undefined;
  const after = rest.slice(box.length);
  if (kind === 'item' ? /^[([:]/.test(after) : !/^(?:[\s\p{Z}]|$)/u.test(after)) return undefined;
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
  return `contains invisible ${hidden.join(', ')}: the rendered item can differ from its source, so its tick cannot be trusted. Remove the ${hidden.length === 1 ? 'character' : 'characters'}`;
}

function controlName(char: string): string {
  return (
    INVISIBLE_CONTROLS[char] ??
    LINE_SEPARATORS[char] ??
    (/^\p{Cf}$/u.test(char) ? 'format control' : 'control character')
  );
}

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
