import { describe, expect, it } from 'vitest';
import { parseCaption } from './caption.ts';

describe('parseCaption', () => {
  it('finds hashtags and mentions with offsets that slice back to the text', () => {
    const caption = 'Sunset run with @Maya_C and @leo. #Lisbon #golden_hour!';
    const entities = parseCaption(caption);
    expect(entities.map((e) => [e.type, e.value])).toEqual([
      ['mention', 'maya_c'],
      ['mention', 'leo'],
      ['hashtag', 'lisbon'],
      ['hashtag', 'golden_hour'],
    ]);
    for (const e of entities) expect(caption.slice(e.start, e.end).toLowerCase()).toBe((e.type === 'hashtag' ? '#' : '@') + e.value);
  });

  it('ignores emails, words with # inside, pure numbers and too-short names', () => {
    expect(parseCaption('mail me at a@example.com, c#sharp, #123, @ab')).toEqual([]);
  });

  it('handles non-Latin tags and UTF-16 offsets after emoji', () => {
    const caption = '🎉🎉 #café #東京';
    const entities = parseCaption(caption);
    expect(entities.map((e) => e.value)).toEqual(['café', '東京']);
    expect(caption.slice(entities[1]!.start, entities[1]!.end)).toBe('#東京');
  });
});
