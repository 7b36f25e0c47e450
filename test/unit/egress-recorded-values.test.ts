import { describe, expect, it } from 'vitest';
import { parseRecordedSeries } from '@cutover/metrics';

/** YAML spells NaN and infinities as numbers (.nan, .inf); a recorded sample must be finite. */
describe('recorded samples with non-finite values', () => {
  it.each(['.nan', '.NaN', '.inf', '-.inf', '+.Inf'])(
    'refuses value %s, pointing to no-data',
    (value) => {
      expect(() =>
        parseRecordedSeries(
          `error-rate:\n  - { from: 0s, to: 10m, value: ${value} }\n`,
          'rec.yaml',
        ),
      ).toThrow(
        /^rec\.yaml: error-rate\[0\]\.value: expected a finite number, got (NaN|-?Infinity); write a gap as \{ from, to, no-data: true \}$/,
      );
    },
  );

  it('refuses a non-finite ramp end and a non-finite time', () => {
    expect(() =>
      parseRecordedSeries('e:\n  - { from: 0s, to: 10m, ramp: [0.01, .inf] }\n', 'rec.yaml'),
    ).toThrow(/e\[0\]\.ramp\[1\]: expected a finite number, got Infinity/);
    expect(() => parseRecordedSeries('e:\n  - { at: .nan, value: 1 }\n', 'rec.yaml')).toThrow(
      /e\[0\]\.at: expected a duration/,
    );
  });
});
