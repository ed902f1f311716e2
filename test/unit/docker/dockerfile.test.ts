// Structural checks of the Dockerfile and .dockerignore, without docker:
// the image is multi-stage on Node >= 22, installs only production
// dependencies at run time, runs as a numeric non-root user, starts
// `lfcs serve --config /etc/lfcs/config.yaml`, and bakes in no secrets.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trimEnd();
    if (pending === '' && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    if (pending !== '' && line.trimStart().startsWith('#')) continue; // comment inside a continuation
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = full.match(/^(\S+)\s*(.*)$/s);
    if (match) instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim() });
  }
  return instructions;
}

function stagesOf(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const asIndex = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ image: words[0]!, name: asIndex >= 0 ? words[asIndex + 1] : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

function execForm(instruction: Instruction | undefined): string[] {
  expect(instruction, 'instruction present').toBeDefined();
  const parsed: unknown = JSON.parse(instruction!.args);
  expect(Array.isArray(parsed), `${instruction!.keyword} must use the exec (JSON array) form`).toBe(true);
  return parsed as string[];
}

/** Node major version of a base image, for node:* and distroless nodejs images. */
function nodeMajor(image: string): number | undefined {
  const official = image.match(/^(?:docker\.io\/)?(?:library\/)?node:(\d+)/);
  if (official) return Number(official[1]);
  const distroless = image.match(/^gcr\.io\/distroless\/nodejs(\d+)/);
  return distroless ? Number(distroless[1]) : undefined;
}

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const instructions = parseDockerfile(dockerfile);
const stages = stagesOf(instructions);
const runtime = stages.at(-1)!;
const last = (keyword: string): Instruction | undefined => runtime.instructions.filter((i) => i.keyword === keyword).at(-1);
const runs = (stage: Stage): string[] => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);

describe('Dockerfile', () => {
  it('is multi-stage and every stage is based on Node >= 22 (or an earlier stage)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const earlier = new Set<string>();
    for (const stage of stages) {
      if (!earlier.has(stage.image)) {
        const major = nodeMajor(stage.image);
        expect(major, `FROM ${stage.image}`).toBeDefined();
        expect(major!, `FROM ${stage.image}`).toBeGreaterThanOrEqual(22);
      }
      if (stage.name) earlier.add(stage.name);
    }
  });

  it('builds with `npm ci` (dev dependencies, prepare runs tsc) in a build stage', () => {
    const build = stages.find((s) => s.name === 'build');
    expect(build).toBeDefined();
    expect(runs(build!).some((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit=dev'))).toBe(true);
    expect(runs(build!).join('\n')).toContain('dist/cli/main.js');
  });

  it('installs only production dependencies in the runtime stage and copies just dist/ from the build', () => {
    const npmCi = runs(runtime).filter((r) => /\bnpm ci\b/.test(r));
    expect(npmCi).toHaveLength(1);
    expect(npmCi[0]).toContain('--omit=dev');
    expect(npmCi[0]).toContain('--ignore-scripts');
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies).toContain('package.json package-lock.json ./');
    const fromBuild = copies.filter((c) => c.startsWith('--from='));
    expect(fromBuild).toEqual(['--from=build /app/dist ./dist']);
    // package.json + lock come before `npm ci`, dist after it (layer caching).
    const order = runtime.instructions.map((i) => `${i.keyword} ${i.args}`);
    const indexOf = (needle: string): number => order.findIndex((o) => o.includes(needle));
    expect(indexOf('package-lock.json ./')).toBeLessThan(indexOf('npm ci'));
    expect(indexOf('npm ci')).toBeLessThan(indexOf('--from=build'));
  });

  it('runs as a numeric non-root user and group', () => {
    const user = last('USER');
    expect(user?.args).toMatch(/^\d+:\d+$/);
    const [uid, gid] = user!.args.split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
    expect(uid).toBe(65532); // the chart's runAsUser
    // USER comes after every RUN, so nothing runs as root afterwards.
    const userIndex = runtime.instructions.lastIndexOf(user!);
    expect(runtime.instructions.slice(userIndex).some((i) => i.keyword === 'RUN')).toBe(false);
  });

  it('starts `lfcs serve --config /etc/lfcs/config.yaml` in exec form', () => {
    const command = [...execForm(last('ENTRYPOINT')), ...execForm(last('CMD'))];
    expect(command.slice(-3)).toEqual(['serve', '--config', '/etc/lfcs/config.yaml']);
    const program = command.slice(0, -3);
    const isNodeMain = program.length === 2 && program[0] === 'node' && program[1]!.endsWith('dist/cli/main.js');
    expect(isNodeMain || (program.length === 1 && program[0] === 'lfcs'), program.join(' ')).toBe(true);
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(program.at(-1)!.endsWith(pkg.bin['lfcs']!)).toBe(true);
  });

  it('exposes the credentials (9180) and admin (9181) ports', () => {
    const ports = runtime.instructions.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    expect(ports).toEqual(expect.arrayContaining(['9180', '9181']));
  });

  it('carries OCI labels, with the package version and license', () => {
    const labels = runtime.instructions
      .filter((i) => i.keyword === 'LABEL')
      .map((i) => i.args)
      .join(' ');
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; license: string };
    for (const key of ['title', 'description', 'licenses', 'version', 'revision']) {
      expect(labels).toContain(`org.opencontainers.image.${key}=`);
    }
    expect(labels).toContain(`org.opencontainers.image.licenses="${pkg.license}"`);
    expect(runtime.instructions.find((i) => i.keyword === 'ARG' && i.args.startsWith('VERSION='))?.args).toBe(`VERSION=${pkg.version}`);
  });

  it('bakes in no secrets: no secret-like ARG/ENV, no AWS credentials, no remote ADD', () => {
    const secretLike = /(TOKEN|SECRET|PASSWORD|PASSWD|ACCESS_KEY|SESSION|CREDENTIAL|PRIVATE)/i;
    for (const { keyword, args } of instructions) {
      if (keyword === 'ARG' || keyword === 'ENV') {
        const names = args.split(/\s+/).map((w) => w.split('=')[0]!);
        for (const name of names) expect(name, `${keyword} ${args}`).not.toMatch(secretLike);
      }
      expect(args, `${keyword} ${args}`).not.toMatch(
        /AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)|AWS_CONTAINER_AUTHORIZATION_TOKEN/,
      );
      if (keyword === 'ADD') expect(args).not.toMatch(/https?:\/\//);
    }
  });

  it('has no HEALTHCHECK that needs curl or wget (neither is in the image)', () => {
    const healthcheck = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK');
    if (healthcheck) expect(healthcheck.args).not.toMatch(/\b(curl|wget)\b/);
  });
});

/** Docker's .dockerignore matching: last matching rule wins; a rule matching a parent directory matches its contents. */
function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      let source = '';
      for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i]!;
        if (c === '*' && pattern[i + 1] === '*') {
          i++;
          if (pattern[i + 1] === '/') {
            i++;
            source += '(?:.*/)?';
          } else {
            source += '.*';
          }
        } else if (c === '*') source += '[^/]*';
        else if (c === '?') source += '[^/]';
        else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      }
      return { negate, regex: new RegExp(`^${source}$`) };
    });
  return (path: string) => {
    const parts = path.split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const rule of rules) {
      if (candidates.some((c) => rule.regex.test(c))) ignored = !rule.negate;
    }
    return ignored;
  };
}

describe('.dockerignore', () => {
  const isIgnored = dockerignore(readFileSync(join(repoRoot, '.dockerignore'), 'utf8'));

  it.each([
    'node_modules/yaml/package.json',
    '.git/HEAD',
    'dist/cli/main.js',
    'src/node_modules/x.js',
    '.env',
    'test/clock.test.ts',
    'coverage/index.html',
    'helm/lakeformation-credential-sidecar/Chart.yaml',
  ])('keeps %s out of the build context', (path) => {
    expect(isIgnored(path)).toBe(true);
  });

  it('sends every file the Dockerfile COPYs from the context', () => {
    const fromContext = instructions
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from='))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(fromContext).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src']));
    for (const source of fromContext) {
      expect(existsSync(join(repoRoot, source)), `${source} exists`).toBe(true);
      expect(isIgnored(source), `${source} is in the build context`).toBe(false);
    }
    expect(isIgnored('src/cli/main.ts')).toBe(false);
  });
});
