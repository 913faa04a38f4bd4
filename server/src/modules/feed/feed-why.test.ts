import { describe, expect, it } from 'vitest';
import { explain } from './feed-why.ts';

const base = { authorUsername: 'ana', relationship: null, authorAffinity: 0, topicAffinity: [], model: undefined, modelRank: undefined, ageMs: 30 * 86400_000, views: 0, likes: 0 };

describe('why this video', () => {
  it('names the person’s own signals first, in plain words', () => {
    const r = explain({ ...base, relationship: { following: true, friends: false }, authorAffinity: 2, topicAffinity: [['cats', 3], ['cars', -1]], modelRank: 0.95 });
    expect(r).toEqual(['You follow @ana.', 'You watched other clips by @ana.', "You've been watching #cats.", 'People who watch what you watch enjoyed this clip.']);
  });

  it('always gives at least one reason', () => {
    expect(explain(base)).toHaveLength(1);
    expect(explain({ ...base, ageMs: 1000 })).toEqual(['It is new: fresh clips get a chance to be seen.']);
  });
});
