import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README is a landing page and every concept has its page in docs/: keep
// the README short, every page reachable from it, and no link pointing nowhere.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const README = join(ROOT, 'README.md');
const DOCS = join(ROOT, 'docs');
const README_MAX_LINES = 320;

const docsPages = readdirSync(DOCS)
  .filter((name) => name.endsWith('.md'))
  .map((name) => join(DOCS, name));
const pages = [README, ...docsPages];

/** The text outside fenced code blocks and inline code spans: links there are not links. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, 'code');
}

/** Relative link targets of the inline links `[text](target)` of a page. */
function relativeLinks(markdown: string): string[] {
  const links: string[] = [];
  for (const match of prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    links.push(target);
  }
  return links;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  const withoutCode = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const match of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = match[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

describe('documentation', () => {
  it(`README.md is a landing page of at most ${README_MAX_LINES} lines`, () => {
    const lines = readFileSync(README, 'utf8').split('\n').length;
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('README.md links every page in docs/ directly', () => {
    const linked = new Set(relativeLinks(readFileSync(README, 'utf8')).map((target) => resolve(ROOT, target.split('#')[0]!)));
    const unlinked = docsPages.filter((page) => !linked.has(page)).map((page) => relative(ROOT, page));
    expect(unlinked, 'pages in docs/ the README does not link').toEqual([]);
  });

  it('every page starts with its title, a one-line summary and a link back to the README', () => {
    for (const page of docsPages) {
      const [title, , summary, , back] = readFileSync(page, 'utf8').split('\n');
      expect(title, relative(ROOT, page)).toMatch(/^# \S/);
      expect(summary, relative(ROOT, page)).toMatch(/^\S.*\S$/);
      expect(back, relative(ROOT, page)).toBe('[Back to the README](../README.md)');
    }
  });

  it('every relative link in README.md and docs/ names an existing file, and an existing heading', () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const target of relativeLinks(readFileSync(page, 'utf8'))) {
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const file = path === '' ? page : resolve(dirname(page), decodeURIComponent(path));
        const where = `${relative(ROOT, page)}: ${target}`;
        if (!existsSync(file)) {
          broken.push(`${where} (no such file)`);
          continue;
        }
        if (anchor !== undefined && file.endsWith('.md') && statSync(file).isFile()) {
          if (!anchors(readFileSync(file, 'utf8')).has(anchor)) broken.push(`${where} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('finds a broken link and a missing heading (the checks themselves work)', () => {
    expect(relativeLinks('see [a](docs/a.md#x), [b](https://example.com), `[c](d.md)`')).toEqual(['docs/a.md#x']);
    expect(anchors('# Deploy on Kubernetes\n## 1. Build `the` image\n## Routes\n## Routes\n')).toEqual(
      new Set(['deploy-on-kubernetes', '1-build-the-image', 'routes', 'routes-1']),
    );
  });
});
