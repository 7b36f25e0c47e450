export const id = 858;
export const ids = [858];
export const modules = {

/***/ 6858:
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
    const source = (verify[1] ?? '').trim();
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
 */
/**
 * Refused before parsing, so a hostile body costs nothing. GitHub bodies stop at 65,536
 * characters; 256 KiB keeps the worst case (an emphasis/bracket bomb) near 200 ms.
 */
const CHECKLIST_LIMITS = { maxBytes: 256 * 1024, maxLines: 20_000 };
class ChecklistTooLargeError extends Error {
}
const NO_SECTION = '(no section)';
const parser = new markdown_it/* default */.A('commonmark', { html: true }).enable('strikethrough');
function parseChecklist(text, limits = CHECKLIST_LIMITS) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > limits.maxBytes)
        throw new ChecklistTooLargeError(`checklist is ${bytes} bytes; the limit is ${limits.maxBytes} bytes (${limits.maxBytes / 1024} KiB)`);
    const lineStarts = lineStartOffsets(text);
    if (lineStarts.length > limits.maxLines)
        throw new ChecklistTooLargeError(`checklist has ${lineStarts.length} lines; the limit is ${limits.maxLines} lines`);
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
        else if (token.type === 'list_item_open' && quoteDepth === 0) {
            const item = taskItem(tokens, index, text, lineStarts);
            if (item === undefined)
                continue;
            const headings = headingStack.map((entry) => entry.text);
            items.push({ ...item, headings, section: headings.at(-1) ?? NO_SECTION });
        }
    }
    return { items, headings: allHeadings };
}
/** GFM: a task item is a list item whose first block is a paragraph starting "[ ]", "[x]" or "[X]" then whitespace. */
function taskItem(tokens, index, source, lineStarts) {
    const paragraph = tokens[index + 1];
    const inline = tokens[index + 2];
    if (paragraph?.type !== 'paragraph_open' || inline?.type !== 'inline' || paragraph.map === null)
        return undefined;
    const marker = /^\[([ xX])\][ \t]/.exec(inline.content);
    if (marker === null)
        return undefined;
    const line = paragraph.map[0];
    const markerOffset = markerOffsetOnLine(source, lineStarts, line);
    if (markerOffset === undefined)
        return undefined;
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
    const text = textParts.join('').replace(/\s+/g, ' ').trim();
    if (text === '')
        return undefined;
    const optional = directives.some((d) => d.type === 'optional') || /\(optional\)\s*$/i.test(text);
    const notApplicable = directives.some((d) => d.type === 'not-applicable') || wholeTextStruck;
    return {
        text,
        line: line + 1,
        markerOffset,
        ticked: marker[1] !== ' ',
        optional,
        notApplicable,
        verifiers: directives.filter((d) => d.type === 'verify'),
        problems,
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
/** The "[" of the task marker: the first non-blank on the paragraph's line, after any list bullets. */
function markerOffsetOnLine(source, lineStarts, line) {
    const start = lineStarts[line];
    if (start === undefined)
        return undefined;
    const end = source.indexOf('\n', start);
    const content = source.slice(start, end === -1 ? source.length : end);
    const prefix = /^(?:[ \t]*(?:[-+*]|\d{1,9}[.)])(?=[ \t]))*[ \t]*/.exec(content)?.[0] ?? '';
    const offset = start + prefix.length;
    return /^\[[ xX]\]/.test(source.slice(offset, offset + 3)) ? offset : undefined;
}
function lineStartOffsets(text) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1))
        starts.push(i + 1);
    return starts;
}

;// CONCATENATED MODULE: ./packages/checklist/src/evaluate-checklist.ts
const FAILING = ['missing', 'false-claim', 'invalid'];
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
    const required = !item.optional && !item.notApplicable;
    const base = { item, origin, outcomes, required };
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
 * hosts and never reach link-local addresses (cloud metadata endpoints live there).
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
    let result = text;
    for (const item of [...items].sort((a, b) => b.markerOffset - a.markerOffset)) {
        if (result.slice(item.markerOffset, item.markerOffset + 3) !== '[ ]')
            throw new Error(`line ${item.line} no longer starts with "[ ]"; the text changed`);
        result = `${result.slice(0, item.markerOffset)}[x]${result.slice(item.markerOffset + 3)}`;
    }
    return result;
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
