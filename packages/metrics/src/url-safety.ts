import { redactUrls } from '@cutover/kit';

/**
 * A URL for messages: the userinfo replaced by `***`. The WHATWG parser ends the userinfo at the
 * last "@" of the authority, so a raw "@" inside a password is hidden too.
 */
export function showUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.username === '' && url.password === '') return redactUrls(text);
    url.username = '';
    url.password = '';
    return url.href.replace(/^([a-z][a-z0-9+.-]*:\/\/)/i, '$1***@');
  } catch {
    return redactUrls(text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@'));
  }
}

/**
 * Why an endpoint URL cannot be used, or undefined. Credentials in the URL are refused: they
 * would be printed wherever the URL is, and fetch cannot send them anyway.
 */
export function urlProblem(text: string, what: string, advice: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${what} is not a valid URL: ${JSON.stringify(showUrl(text))}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `${what} must start with http:// or https://, got ${JSON.stringify(showUrl(text))}`;
  if (url.username !== '' || url.password !== '')
    return `${what} must not contain credentials, got ${JSON.stringify(showUrl(text))}; ${advice}`;
  return undefined;
}
