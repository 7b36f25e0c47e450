import { describe, expect, it } from 'vitest';
import { ConfigError } from '@cutover/kit';
import { templatePrefix } from '@cutover/aws';

describe('templatePrefix', () => {
  it('drops empty segments, so every spelling of a folder gives one key', () => {
    expect(templatePrefix('')).toEqual([]);
    expect(templatePrefix('/')).toEqual([]);
    expect(templatePrefix('cutover/templates/')).toEqual(['cutover', 'templates']);
    expect(templatePrefix('//cutover//templates')).toEqual(['cutover', 'templates']);
  });

  it.each(['../other-app', 'a/./b', 'a/..', 'a\\b', 'a/\u0000/b', 'tab\there'])(
    'refuses %j, naming the input and the segment',
    (prefix) => {
      expect(() => templatePrefix(prefix)).toThrow(ConfigError);
      expect(() => templatePrefix(prefix)).toThrow(/^input 'template-prefix': .* has the segment /);
    },
  );
});
