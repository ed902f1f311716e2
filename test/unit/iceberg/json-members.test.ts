import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinMembers, objectMembers } from '../../../src/iceberg/json-members.js';
import { UPSTREAM_METADATA } from './support.js';

describe('object members as text', () => {
  it('finds each top-level member with its exact source text', () => {
    const text = ` { "a" : 1 , "m":${UPSTREAM_METADATA},"s":"x,\\"}{:" ,"e":{}, "l":[[],{"k":[1,2]}] } `;
    const members = objectMembers(text)!;
    expect(members.map((m) => m.key)).toEqual(['a', 'm', 's', 'e', 'l']);
    expect(members[1]!.text).toBe(`"m":${UPSTREAM_METADATA}`);
    expect(members[2]!.text).toBe('"s":"x,\\"}{:"');
    expect(members[0]!.text).toBe('"a" : 1');
  });

  it('returns undefined for anything but a JSON object', () => {
    for (const text of ['[]', '"x"', '1', 'null', '{', '{"a":1,}', '']) expect(objectMembers(text), text).toBeUndefined();
    expect(objectMembers('{}')).toEqual([]);
  });

  it('splits and joins any object back to an equal value, whatever its layout', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.constantFrom(undefined, 1, '\t'), (object, indent) => {
        const text = JSON.stringify(object, null, indent);
        const members = objectMembers(text)!;
        expect(members.map((m) => m.key)).toEqual(Object.keys(object));
        expect(JSON.parse(joinMembers(members.map((m) => m.text)))).toEqual(JSON.parse(text));
        for (const member of members) expect(text).toContain(member.text);
      }),
    );
  });
});
