import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configVariables, loadConfig } from '../src/config.js';
import { createTestApp, type TestApp } from './app.js';

/**
 * Keeps README.md and docs/ honest: every claim a program can check (environment variables and
 * their defaults, routes, npm scripts, file paths, links and the docs sections code cites) is
 * checked against the code, and each failure names what is missing where.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** The documentation: the README and every page under docs/. */
const docFiles = [
  'README.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort((a, b) => a.localeCompare(b))
    .map((name) => `docs/${name}`),
];

/** A markdown file's text with its fenced code blocks blanked out (lines and offsets kept). */
function prose(text: string): string {
  return text.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, (block) => block.replace(/[^\n]/g, ' '));
}

/** `file:line` of an offset in a file's text, for failure messages. */
function where(file: string, text: string, index: number): string {
  return `${file}:${text.slice(0, index).split('\n').length}`;
}

/** Every match of `pattern` (global) in the text, with where it is. */
function* matches(file: string, text: string, pattern: RegExp) {
  for (const match of text.matchAll(pattern)) {
    yield { match, at: where(file, text, match.index) };
  }
}

/** The anchors GitHub gives a markdown file's headings (`## Rate limits` → `rate-limits`). */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  for (const line of prose(read(file)).split('\n')) {
    const level = /^#{1,6} /.exec(line);
    if (!level) continue;
    const base = line
      .slice(level[0].length)
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    let anchor = base;
    let repeat = 0;
    while (anchors.has(anchor)) anchor = `${base}-${++repeat}`;
    anchors.add(anchor);
  }
  return anchors;
}

/** Every file and folder of the repository (relative, `/`-separated), generated ones left out. */
const repoPaths: string[] = (() => {
  const skipped = new Set(['node_modules', '.git', 'dist', 'data', 'coverage', 'test-results']);
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      if (skipped.has(entry.name)) continue;
      const relative = dir ? `${dir}/${entry.name}` : entry.name;
      found.push(relative);
      if (entry.isDirectory()) walk(relative);
    }
  };
  walk('');
  return found;
})();

describe('.env.example and src/config.ts', () => {
  /** `NAME=value` lines of .env.example; commented-out ones (`# NAME=…`) have no value. */
  const example = [...read('.env.example').matchAll(/^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(
    (match) => ({ name: match[2]!, value: match[1] === undefined ? match[3]! : undefined }),
  );
  const defaults = loadConfig({}) as unknown as Record<string, unknown>;
  const isUnset = (value: unknown) =>
    value === undefined || (Array.isArray(value) && value.length === 0);

  it('name the same variables', () => {
    const documented = new Set(example.map((variable) => variable.name));
    const readByConfig = new Set(configVariables);
    const mismatched = [
      ...[...documented]
        .filter((name) => !readByConfig.has(name))
        .map((name) => `${name}: in .env.example, but src/config.ts does not read it`),
      ...configVariables
        .filter((name) => !documented.has(name))
        .map((name) => `${name}: read by src/config.ts, but .env.example does not document it`),
    ];
    expect(mismatched).toEqual([]);
  });

  it('agree on every default: the value .env.example sets is the one config takes without it', () => {
    const wrong = example.flatMap(({ name, value }) => {
      if (!configVariables.includes(name)) return [];
      if (value === undefined) {
        return isUnset(defaults[name])
          ? []
          : [`${name}: commented out in .env.example, but defaults to ${String(defaults[name])}`];
      }
      const given = (loadConfig({ [name]: value }) as unknown as Record<string, unknown>)[name];
      return JSON.stringify(given) === JSON.stringify(defaults[name])
        ? []
        : [`${name}: .env.example says ${value}, the default is ${String(defaults[name])}`];
    });
    expect(wrong).toEqual([]);
  });

  it('every variable the docs name exists: read by src/config.ts, or by the tests, bench, scripts, deploy, CI or workflows', () => {
    const elsewhere = ['test', 'bench', 'deploy', 'e2e', 'scripts', '.ci', '.github']
      .flatMap((dir) => repoPaths.filter((file) => file.startsWith(`${dir}/`)))
      .filter((file) => /\.(ts|sh|yml|conf)$|^\.ci\/|Dockerfile$/.test(file))
      .filter((file) => file !== 'test/docs.test.ts')
      .map(read)
      .join('\n');
    const unknown = docFiles.flatMap((file) =>
      [...matches(file, prose(read(file)), /`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)]
        .filter(({ match }) => !configVariables.includes(match[1]!))
        .filter(({ match }) => !new RegExp(`\\b${match[1]!}\\b`).test(elsewhere))
        .map(({ match, at }) => `${at}: ${match[1]!} is read nowhere`),
    );
    expect(unknown).toEqual([]);
  });

  it('every default the docs give is the default config takes', () => {
    const wrong: string[] = [];
    const check = (at: string, name: string, said: string) => {
      if (!configVariables.includes(name)) return;
      const actual = defaults[name];
      const shown = Array.isArray(actual) ? actual.join(',') : String(actual);
      const agrees = said === 'unset' ? isUnset(actual) : shown === said;
      if (!agrees) wrong.push(`${at}: ${name} defaults to ${said}, but config says ${shown}`);
    };
    for (const file of docFiles) {
      const text = prose(read(file));
      // "`NAME` requests (default 300)", "`REMINDER_CRON` (default `0 9 * * *`, UTC)",
      // "`LOG_LEVEL` sets the level (`info` by default)".
      const sentence =
        /`([A-Z][A-Z0-9_]+)`[^`()]{0,60}?\((?:default `([^`]+)`|default (\d[\d_]*)\b|`([^`]+)` by default)/g;
      for (const { match, at } of matches(file, text, sentence)) {
        check(at, match[1]!, (match[2] ?? match[3] ?? match[4]!).replace(/_/g, ''));
      }
      // Tables with a "default" column: | `PORT`, `HOST` | … | `3000`, `127.0.0.1` |
      for (const { match, at } of matches(file, text, /^\|(.+)\|[ \t]*$/gm)) {
        const cells = match[1]!.split(/(?<!\\)\|/).map((cell) => cell.trim());
        const names = [...cells[0]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!);
        const last = cells.at(-1)!;
        const values = last === 'unset' ? names.map(() => 'unset') : last.split(/,\s*/);
        if (names.length === 0 || values.length !== names.length) continue;
        names.forEach((name, index) => {
          const value = values[index]!;
          if (value === 'unset' || /^`[^`]+`$/.test(value)) {
            check(at, name, value.replace(/`/g, ''));
          }
        });
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('routes', () => {
  let t: TestApp;
  let openApiRoutes: { method: string; path: string }[];
  beforeAll(async () => {
    // Demo mode (the demo sign-in route exists) with a webhook (its route exists): every route
    // the server can have, in one app.
    t = await createTestApp({
      env: {
        TELEGRAM_BOT_TOKEN: '',
        TELEGRAM_WEBHOOK_URL: 'https://help.example.com/tg/hook',
        TELEGRAM_WEBHOOK_SECRET: 'docs-test-secret',
      },
    });
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    const document = response.json<{ paths: Record<string, Record<string, unknown>> }>();
    openApiRoutes = Object.entries(document.paths).flatMap(([routePath, operations]) =>
      Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path: routePath })),
    );
  });
  afterAll(() => t.close());

  /**
   * The matching rule: `GET /api/v1/tickets/{id}`, `GET /tickets/:id` and
   * `GET /tickets/{ticket_id}?fields=x` are one route: the /api/v1 prefix, the query and the
   * parameters' names and style do not matter.
   */
  function routeKey(method: string, routePath: string): string {
    const normalised = routePath
      .split('?')[0]!
      .replace(/^\/api\/v1(?=\/|$)/, '')
      .replace(/:\w+/g, '{}')
      .replace(/\{\w*\}/g, '{}')
      .replace(/(.)\/$/, '$1');
    return `${method} ${normalised}`;
  }

  /** `GET /tickets/{id}`-like mentions in a doc. */
  function mentionedRoutes(file: string) {
    return [...matches(file, read(file), /\b(GET|POST|PUT|PATCH|DELETE) (\/[^\s`|)\],]*)/g)].map(
      ({ match, at }) => ({ at, method: match[1]!, path: match[2]! }),
    );
  }

  it('every route in /openapi.json is described in docs/api.md', () => {
    expect(openApiRoutes.length).toBeGreaterThan(20);
    const described = new Set(
      mentionedRoutes('docs/api.md').map((route) => routeKey(route.method, route.path)),
    );
    const missing = openApiRoutes
      .filter((route) => !described.has(routeKey(route.method, route.path)))
      .map((route) => `docs/api.md does not mention ${route.method} ${route.path}`);
    expect(missing).toEqual([]);
  });

  /**
   * Whether the server has a route outside OpenAPI (/metrics, the webhook): asked without
   * credentials, an unknown route is a 404 without a `code` (docs/api.md#errors); a known one
   * answers anything else (401, 422, a 404 `not_found` for the placeholder id…).
   */
  async function isServed(method: string, routePath: string): Promise<boolean> {
    const url = routePath
      .replace(/\{\w*\}|:\w+/g, '00000000-0000-7000-8000-000000000000')
      .replace(/^\/(?!api\/|health|metrics|docs|openapi\.json|tg\/)/, '/api/v1/');
    const response = await t.app.inject({
      method: method as 'GET',
      url,
      ...(method === 'GET' ? {} : { payload: {} }),
    });
    if (response.statusCode !== 404) return true;
    const json = String(response.headers['content-type']).includes('json');
    return json && response.json<{ code?: string }>().code !== undefined;
  }

  it('every route the docs name is served (in /openapi.json, or answering other than an unknown-route 404)', async () => {
    const inOpenApi = new Set(openApiRoutes.map((route) => routeKey(route.method, route.path)));
    const unknown: string[] = [];
    for (const route of docFiles.flatMap(mentionedRoutes)) {
      if (inOpenApi.has(routeKey(route.method, route.path))) continue;
      if (!(await isServed(route.method, route.path))) {
        unknown.push(`${route.at}: ${route.method} ${route.path} is not a route of the server`);
      }
    }
    expect(unknown).toEqual([]);
  });
});

describe('npm scripts', () => {
  it('every `npm run X`, `npm start` and `npm test` in the docs is a script of package.json', () => {
    const scripts = Object.keys(
      (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts,
    );
    const missing = docFiles.flatMap((file) =>
      [...matches(file, read(file), /\bnpm (?:run ([\w:.-]+)|(start|test)\b)/g)]
        .map(({ match, at }) => ({ at, script: match[1] ?? match[2]! }))
        .filter(({ script }) => !scripts.includes(script))
        .map(({ at, script }) => `${at}: npm run ${script} is not in package.json`),
    );
    expect(missing).toEqual([]);
  });
});

describe('paths and links', () => {
  /** Places code reaches at run time or builds, not files of the repository. */
  const generated =
    /^(\.\/)?(data|dist|web\/dist|test-results|coverage|deploy\/backups|node_modules)(\/|$)/;
  const extension = /\.(ts|tsx|js|mjs|json|md|sql|sh|ya?ml|conf|html|css|svg|example)$/;
  const topLevel = new Set(repoPaths.filter((entry) => !entry.includes('/')));

  /** Whether a path (maybe with a `*`) is a file or folder of the repository: from its root,
   * or as the tail of one (the map writes `tickets/service.ts` for `src/tickets/service.ts`). */
  function exists(candidate: string): boolean {
    const clean = candidate.replace(/^\.\//, '').replace(/\/$/, '');
    const pattern = new RegExp(
      `(^|/)${clean.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`,
    );
    return repoPaths.some((entry) => pattern.test(entry));
  }

  /** Whether an inline code span names a repository path (`src/db/`, `schema.ts`, `.ci/run`). */
  function looksLikePath(span: string): boolean {
    if (/[\s<>…:=,@+]/.test(span) || span.startsWith('/') || /^[A-Z][A-Z0-9_]*\//.test(span)) {
      return false;
    }
    if (generated.test(span)) return false;
    return extension.test(span) || span.endsWith('/') || topLevel.has(span.split('/')[0]!);
  }

  it('every repository path the docs write in backticks exists', () => {
    const missing = docFiles.flatMap((file) =>
      [...matches(file, prose(read(file)), /`([^`\n]+)`/g)]
        .filter(({ match }) => looksLikePath(match[1]!) && !exists(match[1]!))
        .map(({ match, at }) => `${at}: \`${match[1]!}\` is not in the repository`),
    );
    expect(missing).toEqual([]);
  });

  it('every relative link of the docs leads to a file, and its #anchor to a heading', () => {
    const broken = docFiles.flatMap((file) =>
      [...matches(file, prose(read(file)), /\]\(([^)\s]+)\)/g)]
        .filter(({ match }) => !/^[a-z]+:/.test(match[1]!))
        .flatMap(({ match, at }) => {
          const [target = '', anchor] = match[1]!.split('#');
          const resolved = target ? path.posix.join(path.posix.dirname(file), target) : file;
          if (!existsSync(path.join(root, resolved))) return [`${at}: ${match[1]!}: no such file`];
          if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) {
            return [`${at}: ${match[1]!}: ${resolved} has no heading #${anchor}`];
          }
          return [];
        }),
    );
    expect(broken).toEqual([]);
  });

  it('code cites docs/ (never the design files left outside the repo), and each cited section exists', () => {
    const sources = repoPaths.filter(
      (file) =>
        /^(src|web|test|e2e|bench|deploy)\//.test(file) &&
        /\.(ts|tsx|js|sh|yml|conf|html|css)$|Dockerfile$/.test(file) &&
        file !== 'test/docs.test.ts',
    );
    const problems = sources.flatMap((file) => {
      const text = read(file);
      return [
        ...[...matches(file, text, /\b(?:CONTRACT|ARCHITECTURE)\.md\b/g)].map(
          ({ match, at }) => `${at}: cites ${match[0]}, which is not in the repository: cite docs/`,
        ),
        ...[...matches(file, text, /\bdocs\/([\w-]+\.md)(?:#([\w-]+))?/g)].flatMap(
          ({ match, at }) => {
            const cited = `docs/${match[1]!}`;
            if (!existsSync(path.join(root, cited))) return [`${at}: ${cited} does not exist`];
            if (match[2] && !anchorsOf(cited).has(match[2])) {
              return [`${at}: ${cited} has no heading #${match[2]}`];
            }
            return [];
          },
        ),
      ];
    });
    expect(problems).toEqual([]);
  });
});
