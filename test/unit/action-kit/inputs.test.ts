import { describe, expect, it } from 'vitest';
import { ConfigError, input, readInputs } from '@cutover/kit';

const schema = {
  mode: input.choice('mode', ['watch', 'check'], { default: 'watch' }),
  count: input.optionalInteger('count', { min: 1, max: 10 }),
  flag: input.boolean('flag', { default: 'false' }),
  names: input.list('names'),
  token: input.string('token', { default: '${{ github.token }}' }),
  needed: input.string('needed thing', { required: true }),
};
const read = (raw: Record<string, string>) => readInputs(schema, (name) => raw[name] ?? '');

describe('readInputs', () => {
  it('applies defaults and parses values', () => {
    expect(read({ needed: 'x', count: ' 3 ', flag: 'TRUE', names: 'a, b\nc,,' })).toEqual({
      mode: 'watch',
      count: 3,
      flag: true,
      names: ['a', 'b', 'c'],
      token: '',
      needed: 'x',
    });
  });

  it('does not use an unexpanded ${{ }} default literally', () => {
    expect(read({ needed: 'x' }).token).toBe('');
  });

  it('names the input, the value and what is allowed, for every bad input at once', () => {
    let error: unknown;
    try {
      read({ mode: 'fast', count: '11', flag: 'yes' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(`input 'mode': expected one of watch, check, got "fast"`);
    expect(message).toContain(`input 'count': expected a whole number from 1 to 10, got "11"`);
    expect(message).toContain(`input 'flag': expected true or false, got "yes"`);
    expect(message).toContain(`input 'needed' is required (needed thing)`);
  });

  it('refuses fractions and non-numbers as integers', () => {
    expect(() => read({ needed: 'x', count: '2.5' })).toThrow(
      `input 'count': expected a whole number, got "2.5"`,
    );
    expect(() => read({ needed: 'x', count: 'NaN' })).toThrow(/expected a whole number/);
  });
});
