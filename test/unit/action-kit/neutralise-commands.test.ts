import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { input, isCommandLike, neutraliseCommands } from '@cutover/kit';
import { createMemoryKit } from '@cutover/action-kit';
import { commandLines, isRunnerCommand, runnerLines } from './runner-commands.js';

// Characters that matter to the runner's parser, weighted so the search finds tricks: the
// command punctuation, characters ICU ignores in a comparison, white space and line breaks.
const tricky = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(':', '#', '[', ']') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '\u200b',
      '\u200d',
      '\u2060',
      '\u00ad',
      '\ufeff',
      '\u202e',
      '\u034f',
      '\u{e0041}',
      '\u0000',
      '\u001b',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      ' ',
      '\t',
      '\n',
      '\r',
      '\r\n',
      '\u0085',
      '\u2028',
      '\u00a0',
      '\u3000',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('a', 'error', 'add-mask', '::', '##[', '%0A', '\u0301', '\uff1a'),
  },
);
const hostileText = fc.oneof(
  fc.array(tricky, { maxLength: 30 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .tuple(fc.string({ maxLength: 10 }), tricky, fc.string({ maxLength: 10 }))
    .map((t) => t.join('')),
);

describe('neutraliseCommands', () => {
  it('leaves no line the runner would take as a command, for any text', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        expect(commandLines(neutraliseCommands(text))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('flags every line the runner would take as a command (the detector is not weaker than the runner)', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        for (const line of runnerLines(text))
          if (isRunnerCommand(line)) expect(isCommandLike(line)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves ordinary text, including ANSI colours and lone colons, byte for byte', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        fc.pre(runnerLines(text).every((line) => !isCommandLike(line)));
        expect(neutraliseCommands(text)).toBe(text);
      }),
    );
    const ordinary =
      'gate error-rate: 5% > 1%\n\u001b[31mred\u001b[0m\n  at main (file:///a.ts:1:2)';
    expect(neutraliseCommands(ordinary)).toBe(ordinary);
  });

  it('makes each command spelling inert and readable: a "> " lead, a broken "##["', () => {
    expect(neutraliseCommands('::add-mask::x')).toBe('> ::add-mask::x');
    expect(neutraliseCommands('ok\n  ::error::x\r::warning::y')).toBe(
      'ok\n>   ::error::x\r> ::warning::y',
    );
    expect(neutraliseCommands(':\u200b:error::x')).toBe('> ::error::x');
    expect(neutraliseCommands('\u0085::stop-commands::t')).toBe('\u0085> ::stop-commands::t');
    expect(neutraliseCommands('see ##[group]x and #\u200b#[error]y')).toBe(
      'see ## [group]x and ## [error]y',
    );
    expect(neutraliseCommands('###[x')).toBe('### [x');
  });
});

describe('memory kit records what the core kit prints', () => {
  it('records log lines, annotations and group names with commands made inert', async () => {
    const kit = createMemoryKit();
    kit.info('a\n::add-mask::x');
    kit.debug('::stop-commands::t');
    kit.warning('##[error]w', { title: '::error::t' });
    await kit.group('::error::g', () => Promise.resolve());
    expect(kit.logs.map((entry) => entry.message)).toEqual([
      'a\n> ::add-mask::x',
      '> ::stop-commands::t',
      '## [error]w',
      '> ::error::g',
    ]);
    expect(kit.logs[2]?.target?.title).toBe('> ::error::t');
  });

  it('masks every line of a multi-line secret, and the whole', () => {
    const kit = createMemoryKit();
    kit.mask('line-one\r\nline-two\n');
    expect(kit.masked).toEqual(
      expect.arrayContaining(['line-one\r\nline-two\n', 'line-one', 'line-two']),
    );
    kit.info('printed line-two alone, then line-one');
    expect(kit.logs[0]?.message).toBe('printed *** alone, then ***');
  });

  it('masks a secret before neutralising, so an escaped secret is still hidden', () => {
    const kit = createMemoryKit();
    kit.mask('pa##[ss');
    kit.info('password pa##[ss');
    expect(kit.logs[0]?.message).toBe('password ***');
  });

  it('masks URL userinfo the moment inputs are read, and redacts it everywhere', async () => {
    const kit = createMemoryKit({
      inputs: { url: 'https://ops:s%40cret@prom.example/api' },
    });
    const { url } = kit.readInputs({ url: input.string('a URL') });
    expect(kit.masked).toEqual(expect.arrayContaining(['ops:s%40cret', 's%40cret', 's@cret']));
    kit.info(`querying ${url}`);
    kit.setOutput('results', `{"url":"${url}"}`);
    await kit.appendSummary(`source: ${url}\n`);
    expect(kit.logs[0]?.message).toBe('querying https://***@prom.example/api');
    expect(kit.outputs.results).toBe('{"url":"https://***@prom.example/api"}');
    expect(kit.summary).toBe('source: https://***@prom.example/api\n');
  });

  it('keeps registered secrets, every line of them, out of outputs', () => {
    const kit = createMemoryKit();
    kit.mask('TOKpart1\nTOKpart2');
    kit.setOutput('results', 'invalid header value "Bearer TOKpart1\nTOKpart2" and TOKpart2');
    expect(kit.outputs.results).toBe('invalid header value "Bearer ***" and ***');
  });

  it('redacts URL credentials the kit was never told about', () => {
    const kit = createMemoryKit();
    kit.error('GET http://u:p@host/ failed');
    expect(kit.logs[0]?.message).toBe('GET http://***@host/ failed');
  });
});
