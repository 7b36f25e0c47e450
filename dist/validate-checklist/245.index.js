export const id = 245;
export const ids = [245];
export const modules = {

/***/ 6245:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  CHECKLIST_LIMITS: () => (/* reexport */ CHECKLIST_LIMITS),
  ChecklistTooLargeError: () => (/* reexport */ ChecklistTooLargeError),
  DEFAULT_RELEASE_TAG_PATTERN: () => (/* reexport */ DEFAULT_RELEASE_TAG_PATTERN),
  DEFAULT_TLS_MIN_DAYS: () => (/* reexport */ DEFAULT_TLS_MIN_DAYS),
  VERIFIER_KINDS: () => (/* reexport */ VERIFIER_KINDS),
  checkReleaseTag: () => (/* reexport */ checkReleaseTag),
  checklistDigest: () => (/* reexport */ checklistDigest),
  evaluateChecklist: () => (/* reexport */ evaluateChecklist),
  filterSections: () => (/* reexport */ filterSections),
  globMatch: () => (/* reexport */ globMatch),
  hostRefusal: () => (/* reexport */ hostRefusal),
  parseChecklist: () => (/* reexport */ parseChecklist),
  parseItemComment: () => (/* reexport */ parseItemComment),
  parseVerifier: () => (/* reexport */ parseVerifier),
  tickItems: () => (/* reexport */ tickItems),
  verifyItems: () => (/* reexport */ verifyItems)
});

// EXTERNAL MODULE: ./node_modules/markdown-it/index.mjs + 74 modules
var markdown_it = __webpack_require__(9193);
;// CONCATENATED MODULE: ./packages/checklist/src/detect-look-alikes.ts
/**
 * Lines a reader takes for a task item that GitHub does not render as a checkbox, and invisible
 * characters that make the rendered line differ from its source. A gate that skipped them would
 * be lied to (an unticked "［ ］ Database" would not block), so each one becomes a finding that
 * fails the gate. The tables are deliberately small and explicit; the README lists them.
 */
/** Invisible format and bidirectional controls: flagged anywhere in a line that looks like an item. */
const INVISIBLE_CONTROLS = {
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
const LOOK_ALIKE_TABLE = {
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
};
const escapeClass = (chars) => chars.map((c) => c.replace(/[\\\]^-]/g, '\\$&')).join('');
const CONTROL_RE = new RegExp(`[${escapeClass(Object.keys(INVISIBLE_CONTROLS))}]`, 'gu');
const { open: detect_look_alikes_open, close: detect_look_alikes_close, inside, boxes, bullets } = LOOK_ALIKE_TABLE;
// A Markdown list marker or a look-alike bullet, then blanks; repeated for "- • [ ] x".
const LEAD_RE = new RegExp(`^\\s*(?:(?:[-+*]|\\d{1,9}[.)]|[${escapeClass(bullets)}])(?=\\s|$)\\s*)*`, 'u');
const BOX_RE = new RegExp(`^(?:[${escapeClass(detect_look_alikes_open)}][${escapeClass(inside)}]{0,4}[${escapeClass(detect_look_alikes_close)}]|(?:${boxes.join('|')})\\uFE0F?)`, 'u');
/** The invisible controls in a text, as "U+202E (RIGHT-TO-LEFT OVERRIDE)", each once. */
function invisibleControls(text) {
    const found = new Set(text.match(CONTROL_RE) ?? []);
    return [...found].map((char) => `${codePoint(char)} (${INVISIBLE_CONTROLS[char] ?? 'control'})`);
}
/** The text with each invisible control spelled out, so logs and summaries show it. */
function revealControls(text) {
    return text.replace(CONTROL_RE, (char) => `{${codePoint(char)}}`);
}
/**
 * The look-alike box at the start of a line (list markers and bullets before it skipped,
 * invisible controls ignored), or undefined. `kind` says what else may follow the box: in the
 * first line of a list item anything but link syntax; elsewhere only a blank or the line end,
 * so prose that happens to start with "[x]" is not taken for an item.
 */
function lookAlikeBox(line, kind) {
    const visible = line.replace(CONTROL_RE, '');
    const rest = visible.slice(LEAD_RE.exec(visible)?.[0].length ?? 0);
    const box = BOX_RE.exec(rest)?.[0];
    if (box === undefined)
        return undefined;
    const after = rest.slice(box.length);
    if (kind === 'item' ? /^[([:]/.test(after) : !/^(?:\s|$)/u.test(after))
        return undefined;
    return box;
}
/** The finding for a look-alike box, naming its characters and saying what to write instead. */
function describeLookAlike(box, line) {
    const odd = Array.from(box)
        .filter((char) => !/[[\] xX]/.test(char))
        .map(codePoint);
    const why = odd.length > 0
        ? `uses ${[...new Set(odd)].join(' ')}`
        : /^\[[ xX]\]$/.test(box)
            ? 'is not followed by a space and text, or sits where Markdown reads it as text'
            : 'is not "[ ]", "[x]" or "[X]"';
    const hidden = invisibleControls(line);
    return `looks like a task item but is not one: "${revealControls(box)}" ${why}${hidden.length > 0 ? `, and the line hides ${hidden.join(', ')}` : ''}; GitHub shows no checkbox, so the gate cannot count it. Write "- [ ] text" or "- [x] text" with ASCII brackets`;
}
/** The finding for a real item whose line hides controls. */
function describeControls(hidden) {
    return `contains invisible ${hidden.join(', ')}: the rendered item can differ from its source, so its tick cannot be trusted. Remove the character(s)`;
}
function codePoint(char) {
    return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

;// CONCATENATED MODULE: ./packages/checklist/src/item-directives.ts
/**
 * Directives a checklist item carries in an HTML comment, invisible when GitHub renders it:
 *
 *   <!-- optional -->                               not required for completeness
 *   <!-- n/a -->                                    not applicable (also: the whole text struck through)
 *   <!-- verify: tls api.example.com min-days=30 --> certificate valid and trusted for 30 more days
 *   <!-- verify: http https://host/health status=200 -->
 *   <!-- verify: checks ignore=lint,docs -->        every check run on the commit succeeded
 *   <!-- verify: release-tag -->                     the run's ref is a tag vMAJOR.MINOR.PATCH (or pattern=GLOB)
 *
 * Any other comment is an ordinary comment and ignored.
 */
const VERIFIER_KINDS = ['tls', 'http', 'checks', 'release-tag'];
const DEFAULT_TLS_MIN_DAYS = 14;
const DEFAULT_RELEASE_TAG_PATTERN = 'semver';
function parseItemComment(html) {
    const body = html.replace(/^<!--/, '').replace(/-->$/, '').trim();
    const lower = body.toLowerCase();
    if (lower === 'optional')
        return { kind: 'directive', directive: { type: 'optional' } };
    if (lower === 'n/a' || lower === 'not applicable')
        return { kind: 'directive', directive: { type: 'not-applicable' } };
    const verify = /^verify\s*:\s*(.*)$/is.exec(body);
    if (verify === null)
        return { kind: 'comment' };
    // One line: the source is echoed in logs and annotations, and a comment may span lines.
    const source = (verify[1] ?? '').replace(/[\s\u0085]+/g, ' ').trim();
    const result = parseVerifier(source);
    return typeof result === 'string'
        ? { kind: 'problem', message: `verifier "${source}": ${result}` }
        : { kind: 'directive', directive: { type: 'verify', spec: result, source } };
}
/** Returns the spec, or a message saying what is wrong and what is allowed. */
function parseVerifier(source) {
    const [kind = '', ...words] = source.split(/\s+/).filter((w) => w !== '');
    const positional = words.filter((w) => !w.includes('='));
    const named = new Map();
    for (const word of words.filter((w) => w.includes('='))) {
        const at = word.indexOf('=');
        named.set(word.slice(0, at).toLowerCase(), word.slice(at + 1));
    }
    const unknown = (allowed) => {
        const extra = [...named.keys()].filter((key) => !allowed.includes(key));
        return extra.length > 0
            ? `unknown option ${extra.join(', ')}; allowed: ${allowed.join(', ') || 'none'}`
            : undefined;
    };
    switch (kind.toLowerCase()) {
        case 'tls': {
            const target = named.get('host') ?? positional[0];
            if (target === undefined)
                return 'expected a host, like "tls api.example.com min-days=30"';
            const parsed = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(target);
            if (parsed === null)
                return `expected a host name with an optional :port, got "${target}"`;
            const port = parsed[2] === undefined ? 443 : Number(parsed[2]);
            if (port < 1 || port > 65535)
                return `port must be 1-65535, got ${port}`;
            const minDays = named.has('min-days') ? Number(named.get('min-days')) : DEFAULT_TLS_MIN_DAYS;
            if (!Number.isInteger(minDays) || minDays < 0 || minDays > 3650)
                return `min-days must be a whole number of days from 0 to 3650, got "${named.get('min-days') ?? ''}"`;
            return unknown(['host', 'min-days']) ?? { kind: 'tls', host: parsed[1] ?? '', port, minDays };
        }
        case 'http': {
            const url = named.get('url') ?? positional[0];
            if (url === undefined)
                return 'expected a URL, like "http https://example.com/health status=200"';
            let parsedUrl;
            try {
                parsedUrl = new URL(url);
            }
            catch {
                return `expected an absolute http(s) URL, got "${url}"`;
            }
            if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:')
                return `expected an http or https URL, got "${url}"`;
            const statuses = parseStatuses(named.get('status') ?? '200-299');
            if (typeof statuses === 'string')
                return statuses;
            const timeout = named.get('timeout') ?? '10';
            const timeoutSeconds = Number(timeout.replace(/s$/, ''));
            if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > 120)
                return `timeout must be 1-120 seconds, like "timeout=10s", got "${timeout}"`;
            return (unknown(['url', 'status', 'timeout']) ?? {
                kind: 'http',
                url,
                statuses,
                timeoutMs: timeoutSeconds * 1000,
            });
        }
        case 'checks': {
            if (positional.length > 0)
                return `unexpected "${positional.join(' ')}"; options: ignore=name,name`;
            const ignore = (named.get('ignore') ?? '').split(',').filter((name) => name !== '');
            return unknown(['ignore']) ?? { kind: 'checks', ignore };
        }
        case 'release-tag': {
            const pattern = named.get('pattern') ?? positional[0] ?? DEFAULT_RELEASE_TAG_PATTERN;
            return unknown(['pattern']) ?? { kind: 'release-tag', pattern };
        }
        default:
            return `unknown verifier "${kind}"; allowed: ${VERIFIER_KINDS.join(', ')}`;
    }
}
/** "200", "2xx", "200-299", "200,204,301" */
function parseStatuses(text) {
    const ranges = [];
    for (const part of text.split(',')) {
        const single = /^([1-5])(\d\d|xx)$/i.exec(part);
        const range = /^(\d{3})-(\d{3})$/.exec(part);
        if (single !== null) {
            const wildcard = single[2]?.toLowerCase() === 'xx';
            const base = Number(single[1]) * 100;
            ranges.push(wildcard ? { min: base, max: base + 99 } : { min: Number(part), max: Number(part) });
        }
        else if (range !== null && Number(range[1]) <= Number(range[2])) {
            ranges.push({ min: Number(range[1]), max: Number(range[2]) });
        }
        else {
            return `status must look like 200, 2xx, 200-299 or 200,301, got "${text}"`;
        }
    }
    return ranges;
}

;// CONCATENATED MODULE: ./packages/checklist/src/parse-checklist.ts



/**
 * Task-list items of a GFM document, found on the parsed token tree (not with regexes over the
 * text): items inside code fences, HTML blocks (comments) and block quotes do not count.
 * Lines that only look like task items are returned too, flagged, so they fail the gate.
 */
/**
 * Refused before parsing, so a hostile body costs nothing. GitHub bodies stop at 65,536
 * characters; 256 KiB keeps the worst case (an emphasis/bracket bomb) near 200 ms.
 */
const CHECKLIST_LIMITS = { maxBytes: 256 * 1024, maxLines: 20_000 };
class ChecklistTooLargeError extends Error {
}
const NO_SECTION = '(no section)';
const NO_TEXT = '(no text)';
const parser = new markdown_it/* default */.A('commonmark', { html: true }).enable('strikethrough');
// Markdown list markers (any depth, "- 1) [ ]"), as they prefix the first line of an item.
const LIST_PREFIX = /^[ \t]*(?:(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$)[ \t]*)*/;
function parseChecklist(text, limits = CHECKLIST_LIMITS) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > limits.maxBytes)
        throw new ChecklistTooLargeError(`checklist is ${bytes} bytes; the limit is ${limits.maxBytes} bytes (${limits.maxBytes / 1024} KiB)`);
    const lines = lineTable(text);
    if (lines.starts.length > limits.maxLines)
        throw new ChecklistTooLargeError(`checklist has ${lines.starts.length} lines; the limit is ${limits.maxLines} lines`);
    // markdown-it turns CRLF and a lone CR into LF before parsing, so token.map line numbers
    // index the same lines as the table above, and offsets come from the table, not from "\n".
    const tokens = parser.parse(text, {});
    const items = [];
    const allHeadings = [];
    const headingStack = [];
    let quoteDepth = 0;
    for (let index = 0; index < tokens.length; index++) {
        const token = tokens[index];
        if (token === undefined)
            continue;
        if (token.type === 'blockquote_open')
            quoteDepth++;
        else if (token.type === 'blockquote_close')
            quoteDepth--;
        else if (token.type === 'heading_open' && quoteDepth === 0) {
            const level = Number(token.tag.slice(1));
            const title = plainText(tokens[index + 1]).trim();
            while (headingStack.length > 0 && (headingStack.at(-1)?.level ?? 0) >= level)
                headingStack.pop();
            headingStack.push({ level, text: title });
            allHeadings.push(title);
        }
        else if (token.type === 'paragraph_open' && quoteDepth === 0 && token.map !== null) {
            const found = [];
            // The first paragraph of a list item is where GFM looks for the task marker.
            const opensItem = tokens[index - 1]?.type === 'list_item_open';
            if (opensItem) {
                const item = taskItem(tokens[index + 1], token.map[0], text, lines);
                if (item !== undefined)
                    found.push(item);
            }
            // Every other line of a paragraph is text; a box at its start only looks like an item.
            for (let line = token.map[0] + (opensItem ? 1 : 0); line < token.map[1]; line++) {
                const raw = lineText(text, lines, line);
                const box = lookAlikeBox(raw, 'text');
                if (box !== undefined)
                    found.push(flaggedLine(raw, line, lines, describeLookAlike(box, raw)));
            }
            if (found.length === 0)
                continue;
            const headings = headingStack.map((entry) => entry.text);
            const section = headings.at(-1) ?? NO_SECTION;
            for (const item of found)
                items.push({ ...item, headings, section });
        }
    }
    return { items, headings: allHeadings };
}
/**
 * GFM: a task item is a list item whose first block is a paragraph starting "[ ]", "[x]" or
 * "[X]" then a space or tab. Anything else that looks like one is returned flagged.
 */
function taskItem(inline, line, source, lines) {
    if (inline?.type !== 'inline')
        return undefined;
    const raw = lineText(source, lines, line);
    const marker = /^\[([ xX])\][ \t]/.exec(inline.content);
    if (marker === null) {
        const box = lookAlikeBox(raw, 'item');
        return box === undefined
            ? undefined
            : flaggedLine(raw, line, lines, describeLookAlike(box, raw));
    }
    const start = lines.starts[line] ?? 0;
    const prefix = LIST_PREFIX.exec(raw)?.[0].length ?? 0;
    if (!/^\[[ xX]\]/.test(raw.slice(prefix)))
        // markdown-it saw a marker this line does not start with: never skip a checkbox silently.
        return flaggedLine(raw, line, lines, 'looks like a task item, but its box could not be located on the line; rewrite it as "- [ ] text"');
    const directives = [];
    const problems = [];
    const textParts = [];
    let struck = 0;
    let wholeTextStruck = true;
    let markerPending = true;
    for (const child of inline.children ?? []) {
        if (child.type === 'html_inline' && child.content.startsWith('<!--')) {
            const parsed = parseItemComment(child.content);
            if (parsed.kind === 'problem')
                problems.push(parsed.message);
            else if (parsed.kind === 'directive')
                directives.push(parsed.directive);
            continue;
        }
        if (child.type === 's_open')
            struck++;
        else if (child.type === 's_close')
            struck--;
        let piece = childText(child);
        if (markerPending && child.type === 'text') {
            piece = piece.replace(/^\[[ xX]\][ \t]+/, '');
            markerPending = false;
        }
        if (piece.trim() !== '' && struck === 0)
            wholeTextStruck = false;
        textParts.push(piece);
    }
    const text = oneLine(textParts.join('')) || NO_TEXT;
    const hidden = invisibleControls(inline.content);
    const base = { text: revealControls(text), line: line + 1, markerOffset: start + prefix };
    if (hidden.length > 0)
        return {
            ...base,
            ticked: marker[1] !== ' ',
            optional: false,
            notApplicable: false,
            verifiers: [],
            problems,
            flagged: describeControls(hidden),
        };
    const optional = directives.some((d) => d.type === 'optional') || /\(optional\)\s*$/i.test(text);
    const notApplicable = directives.some((d) => d.type === 'not-applicable') || (wholeTextStruck && text !== NO_TEXT);
    return {
        ...base,
        ticked: marker[1] !== ' ',
        optional,
        notApplicable,
        verifiers: directives.filter((d) => d.type === 'verify'),
        problems,
    };
}
/** A line that is not a task item but looks like one: it counts, and fails, as a finding. */
function flaggedLine(raw, line, lines, finding) {
    const prefix = LIST_PREFIX.exec(raw)?.[0].length ?? 0;
    return {
        text: revealControls(oneLine(raw.slice(prefix))) || NO_TEXT,
        line: line + 1,
        markerOffset: (lines.starts[line] ?? 0) + prefix,
        ticked: false,
        optional: false,
        notApplicable: false,
        verifiers: [],
        problems: [],
        flagged: finding,
    };
}
function childText(token) {
    switch (token.type) {
        case 'text':
        case 'code_inline':
        case 'html_inline':
            return token.content;
        case 'softbreak':
        case 'hardbreak':
            return ' ';
        default:
            return '';
    }
}
function plainText(inline) {
    return (inline?.children ?? []).map(childText).join('');
}
/** Collapses white space, including NEL and the Unicode line separators, to single spaces. */
function oneLine(text) {
    return text.replace(/[\s\u0085]+/g, ' ').trim();
}
function lineText(source, lines, line) {
    return source.slice(lines.starts[line] ?? source.length, lines.ends[line] ?? source.length);
}
/** One pass over the text; CRLF, a lone CR and LF each end a line (CommonMark, markdown-it). */
function lineTable(text) {
    const starts = [0];
    const ends = [];
    for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code !== 10 && code !== 13)
            continue;
        ends.push(i);
        if (code === 13 && text.charCodeAt(i + 1) === 10)
            i++;
        starts.push(i + 1);
    }
    ends.push(text.length);
    return { starts, ends };
}

;// CONCATENATED MODULE: ./packages/checklist/src/evaluate-checklist.ts
const FAILING = ['missing', 'false-claim', 'invalid', 'flagged'];
function evaluateChecklist(inputs) {
    const results = inputs.map(classify);
    const required = results.filter((result) => result.required);
    const failing = results.filter((result) => FAILING.includes(result.status));
    return {
        // An empty checklist is never complete: a gate that found nothing to check proves nothing.
        complete: failing.length === 0 && results.some((result) => result.status !== 'not-applicable'),
        total: required.length,
        checked: required.filter((result) => result.status === 'done' || result.status === 'verified')
            .length,
        results,
        missing: failing.map((result) => ({
            section: result.item.section,
            text: result.item.text,
            line: result.item.line,
            origin: result.origin,
            reason: result.reason,
        })),
    };
}
function classify({ item, origin, outcomes, tickedByTool }) {
    const required = item.flagged !== undefined || (!item.optional && !item.notApplicable);
    const base = { item, origin, outcomes, required };
    // First: no marker (optional, n/a, a tick) on a line that is not what it looks like counts.
    if (item.flagged !== undefined)
        return { ...base, status: 'flagged', reason: item.flagged };
    if (item.notApplicable)
        return { ...base, status: 'not-applicable', reason: 'marked not applicable' };
    if (item.problems.length > 0)
        return { ...base, status: 'invalid', reason: item.problems.join('; ') };
    const failed = outcomes.filter((outcome) => !outcome.ok);
    if (item.ticked) {
        if (failed.length > 0)
            return {
                ...base,
                status: 'false-claim',
                reason: `ticked, but ${failed.map(describe).join('; ')}`,
            };
        if (outcomes.length < item.verifiers.length)
            return { ...base, status: 'false-claim', reason: 'ticked, but its verifier did not run' };
        return {
            ...base,
            status: 'done',
            reason: outcomes.length > 0 ? outcomes.map(describe).join('; ') : 'ticked',
        };
    }
    if (tickedByTool)
        return {
            ...base,
            status: 'verified',
            reason: `ticked by the tool: ${outcomes.map(describe).join('; ')}`,
        };
    if (item.optional)
        return { ...base, status: 'optional', reason: 'optional, not ticked' };
    const hint = outcomes.length > 0 && failed.length === 0
        ? ' (its verifier passes: tick it, or set tick-verified: true)'
        : failed.length > 0
            ? ` (${failed.map(describe).join('; ')})`
            : '';
    return { ...base, status: 'missing', reason: `not ticked${hint}` };
}
function describe(outcome) {
    return `${outcome.source.split(/\s+/)[0] ?? 'verifier'}: ${outcome.detail}`;
}

;// CONCATENATED MODULE: ./packages/checklist/src/verify-items.ts
/**
 * Runs each distinct verifier once (the same URL on ten items is one request), a few at a time.
 * A probe that throws is a failed verification, never a pass.
 */
async function verifyItems(items, verifiers, options) {
    const wanted = items.filter((item) => !item.notApplicable && item.problems.length === 0 && (item.ticked || options.includeUnticked));
    const distinct = new Map();
    for (const item of wanted)
        for (const v of item.verifiers)
            if (v.type === 'verify')
                distinct.set(v.source, v.spec);
    const outcomes = new Map();
    const queue = [...distinct.entries()];
    const worker = async () => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
            const [source, spec] = next;
            outcomes.set(source, { source, ...(await runOne(spec, verifiers, options.allowedHosts)) });
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
    const byItem = new Map();
    for (const item of wanted) {
        const list = item.verifiers.flatMap((v) => v.type === 'verify' ? [outcomes.get(v.source)] : []);
        byItem.set(item, list.filter((outcome) => outcome !== undefined));
    }
    return byItem;
}
async function runOne(spec, verifiers, allowedHosts) {
    try {
        switch (spec.kind) {
            case 'tls':
            case 'http': {
                const host = spec.kind === 'tls' ? spec.host : new URL(spec.url).hostname;
                const refusal = hostRefusal(host, allowedHosts);
                if (refusal !== undefined)
                    return { ok: false, detail: refusal };
                return spec.kind === 'tls' ? await verifiers.tls(spec) : await verifiers.http(spec);
            }
            case 'checks':
                return await verifiers.checks(spec);
            case 'release-tag':
                return await verifiers.releaseTag(spec);
        }
    }
    catch (error) {
        return {
            ok: false,
            detail: `could not verify: ${error instanceof Error ? error.message : String(error)}`,
        };
    }
}
/**
 * Checklist text may come from an untrusted pull request, so probes are limited to allowed
 * hosts (matched on the name as written). The link-local test here only refuses the plain
 * spellings early, with a clear message; the decision that holds is made by the probes
 * (@cutover/probes) on the address actually connected to, in every encoding and after DNS.
 */
function hostRefusal(host, allowedHosts) {
    const name = host.toLowerCase().replace(/^\[|\]$/g, '');
    if (/^169\.254\./.test(name) ||
        /^fe80:/i.test(name) ||
        name === 'fd00:ec2::254' ||
        name === 'metadata.google.internal')
        return `host ${host} is link-local or a cloud metadata endpoint; verifiers never contact it`;
    if (allowedHosts.some((pattern) => globMatch(pattern.toLowerCase(), name)))
        return undefined;
    return `host ${host} is not in verify-hosts (${allowedHosts.join(', ')})`;
}
/** "*" matches any run of characters except "/"; everything else is literal. */
function globMatch(pattern, value) {
    const source = pattern
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*');
    return new RegExp(`^${source}$`).test(value);
}
const SEMVER_TAG = /^v\d+\.\d+\.\d+$/;
/** Pure: is the workflow's ref a release tag? `semver` (default pattern) means vMAJOR.MINOR.PATCH. */
function checkReleaseTag(ref, pattern) {
    if (ref === undefined || !ref.startsWith('refs/tags/'))
        return { ok: false, detail: `the run's ref is ${ref ?? '(unset)'}, not a tag` };
    const tag = ref.slice('refs/tags/'.length);
    const ok = pattern === 'semver' ? SEMVER_TAG.test(tag) : globMatch(pattern, tag);
    return ok
        ? { ok: true, detail: `ref is release tag ${tag}` }
        : {
            ok: false,
            detail: `tag ${tag} does not match ${pattern === 'semver' ? 'vMAJOR.MINOR.PATCH' : pattern}`,
        };
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./packages/checklist/src/tick-items.ts

/** Replaces "[ ]" with "[x]" at each item's marker; refuses if the text no longer has "[ ]" there. */
function tickItems(text, items) {
    // One pass building pieces: re-slicing the whole text per item was quadratic in the items.
    const parts = [];
    let copied = 0;
    for (const item of [...items].sort((a, b) => a.markerOffset - b.markerOffset)) {
        if (item.markerOffset < copied ||
            text.slice(item.markerOffset, item.markerOffset + 3) !== '[ ]')
            throw new Error(`line ${item.line} no longer starts with "[ ]"; the text changed`);
        parts.push(text.slice(copied, item.markerOffset), '[x]');
        copied = item.markerOffset + 3;
    }
    parts.push(text.slice(copied));
    return parts.join('');
}
/**
 * sha256 of the checklist text(s) as evaluated, so a later job can refuse a checklist edited
 * after the gate. Several documents (a body and its comments) are length-prefixed so that
 * moving text between them changes the digest.
 */
function checklistDigest(texts) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    if (texts.length === 1)
        hash.update(texts[0] ?? '', 'utf8');
    else
        for (const text of texts)
            hash.update(`${Buffer.byteLength(text, 'utf8')}:${text}`, 'utf8');
    return `sha256:${hash.digest('hex')}`;
}

;// CONCATENATED MODULE: ./packages/checklist/src/filter-sections.ts
/**
 * Keeps items under any of the named headings (case-insensitive, any level, subsections
 * included). A name matching no heading is reported rather than silently gating nothing.
 */
function filterSections(items, headings, sections) {
    if (sections.length === 0)
        return { ok: true, items: [...items] };
    const normalize = (name) => name.trim().replace(/\s+/g, ' ').toLowerCase();
    const wanted = new Set(sections.map(normalize));
    const known = new Set(headings.map(normalize));
    const unknown = sections.filter((name) => !known.has(normalize(name)));
    if (unknown.length > 0)
        return { ok: false, unknown, available: [...new Set(headings)] };
    return {
        ok: true,
        items: items.filter((item) => item.headings.some((h) => wanted.has(normalize(h)))),
    };
}

;// CONCATENATED MODULE: ./packages/checklist/src/index.ts








/***/ })

};
