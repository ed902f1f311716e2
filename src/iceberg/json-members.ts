/**
 * The members of a JSON object as text: the gateway replaces a few members of
 * a `LoadTableResult` and passes every other one through byte for byte, so
 * table metadata (large, and full of numbers such as snapshot ids that a
 * parse and re-serialisation could alter) is never re-serialised.
 */

/** One member of an object: its key, and its exact source text (`"key": value`, surrounding whitespace trimmed). */
export interface JsonMember {
  readonly key: string;
  readonly text: string;
}

/**
 * The top-level members of `text`, in order, or `undefined` if `text` is not a
 * JSON object. Validity is checked by `JSON.parse` first, so the scan only has
 * to find the top-level commas and colons: outside strings, at depth 1.
 */
export function objectMembers(text: string): JsonMember[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  } catch {
    return undefined;
  }
  const open = text.indexOf('{');
  const members: JsonMember[] = [];
  let depth = 0;
  let inString = false;
  let start = open + 1;
  let colon = -1;
  const close = (end: number) => {
    const member = text.slice(start, end).trim();
    if (member !== '') members.push({ key: JSON.parse(text.slice(start, colon).trim()) as string, text: member });
  };
  for (let i = open + 1; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (depth > 0 && (ch === '}' || ch === ']')) depth--;
    else if (depth === 0 && ch === ':' && colon < start) colon = i;
    else if (depth === 0 && ch === ',') {
      close(i);
      start = i + 1;
    } else if (depth === 0 && ch === '}') {
      close(i);
      break;
    }
  }
  return members;
}

/** An object written from member texts, in order. */
export function joinMembers(members: readonly string[]): string {
  return `{${members.join(',')}}`;
}

/** A member's text for `key` and a value serialised here. */
export function memberText(key: string, value: unknown): string {
  return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
}
