/**
 * Text that leaves for GitHub or a chat: gate reasons and caller descriptions are untrusted
 * (a metric label, a PR title), so each destination gets its own neutralising.
 */

/** "Create a deployment status": "The maximum description length is 140 characters." */
export const DESCRIPTION_LIMIT = 140;

// C0/C1 controls, and the bidirectional overrides that make text read differently than it is.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g;

/** One line of plain text: controls and line breaks become single spaces. */
export function oneLine(text: string): string {
  return text.replace(CONTROLS, ' ').replace(/\s+/g, ' ').trim();
}

/** Code points: what the API counts (a count, never a split). */
function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * At most `limit` characters (code points, as GitHub counts), cut between graphemes so no
 * emoji, flag or accented letter is split, with "…" when something was cut.
 */
export function truncateGraphemes(text: string, limit: number): string {
  if (codePoints(text) <= limit) return text;
  let kept = '';
  let length = 0;
  for (const { segment } of segmenter.segment(text)) {
    const size = codePoints(segment);
    if (length + size > limit - 1) break;
    kept += segment;
    length += size;
  }
  return `${kept.trimEnd()}…`;
}

/** A deployment status description: one line, within the API's 140 characters. */
export function statusDescription(text: string): string {
  return truncateGraphemes(oneLine(text), DESCRIPTION_LIMIT);
}

/**
 * Breaks @mentions (GitHub users and teams, Slack's @channel/@here, Discord's @everyone) with a
 * word joiner: the text reads the same, but nobody is pinged or linked.
 */
export function breakMentions(text: string): string {
  return text.replace(/@(?=[\p{L}\p{N}_-])/gu, '@\u2060');
}

/**
 * Text for a Slack-compatible message: Slack reads `<…>` as links and `<!channel>` as a
 * mention, so &, < and > are escaped the way its docs ask ("Escaping text"), and bare
 * @mentions are broken for the chats that parse them (Mattermost, Discord).
 */
export function chatText(text: string): string {
  return breakMentions(
    oneLine(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  );
}
