/**
 * Extracts from GitHub's official OpenAPI description the operations and schemas the `GitHubEmulator` serves, into
 * `src/forge/specs/github-rest-extract.json`, and builds `src/forge/specs/gitlab-rest-extract.json` from the
 * committed excerpt of GitLab's OpenAPI file and the REST-docs corrections (scripts/gitlab-extract.ts). Re-run after
 * changing the list of served operations or either GitLab input:
 *
 *   npx tsx scripts/extract-forge-specs.ts [path/to/api.github.com.json]
 *   npx tsx scripts/extract-forge-specs.ts --gitlab      # GitLab only, no download
 *
 * Without a path, the npm package `@octokit/openapi` (which ships github/rest-api-description's
 * `descriptions/api.github.com/api.github.com.json` as `generated/api.github.com.json`, MIT) is fetched at the pinned
 * version into a temporary directory with `npm pack` — it is 28 MB packed and 400 MB unpacked, too heavy to be a
 * devDependency every install pays for.
 *
 * The output is plain JSON Schema (ajv): OpenAPI 3.0's `nullable` becomes a `null` type, references point into the
 * extract's own `schemas`, documentation strings, examples and `x-` extensions are dropped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { buildGitLabExtract, type GitLabOpenApiExcerpt, type GitLabRestDocs } from './gitlab-extract.js';

type JsonObject = Record<string, unknown>;

/** The `@octokit/openapi` release read by default (its api.github.com.json is upstream's, plus `x-octokit` keys). */
const OCTOKIT_OPENAPI_VERSION = '23.0.2';
const SPECS_DIRECTORY = resolve(import.meta.dirname, '../src/forge/specs');

/** The GitHub operations the emulator serves (method, OpenAPI path) and the statuses it answers with. */
const GITHUB_OPERATIONS: ReadonlyArray<[string, string]> = [
  ['post', '/repos/{owner}/{repo}/pulls'],
  ['get', '/repos/{owner}/{repo}/pulls'],
  ['get', '/repos/{owner}/{repo}/pulls/{pull_number}'],
  ['patch', '/repos/{owner}/{repo}/pulls/{pull_number}'],
  ['put', '/repos/{owner}/{repo}/pulls/{pull_number}/merge'],
  ['post', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews'],
  ['post', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['post', '/repos/{owner}/{repo}/issues/{issue_number}/labels'],
  ['post', '/repos/{owner}/{repo}/statuses/{sha}'],
  ['get', '/repos/{owner}/{repo}/commits/{ref}/status'],
  ['get', '/repos/{owner}/{repo}/commits/{ref}/check-runs'],
];

function loadGitHubDescription(): { spec: JsonObject; origin: string } {
  const given = process.argv[2];
  if (given !== undefined) {
    return { spec: JSON.parse(readFileSync(given, 'utf8')) as JsonObject, origin: basename(given) };
  }
  const directory = mkdtempSync(join(tmpdir(), 'octokit-openapi-'));
  try {
    const packageName = `@octokit/openapi@${OCTOKIT_OPENAPI_VERSION}`;
    const tarball = execFileSync('npm', ['pack', packageName, '--silent'], {
      cwd: directory,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop() as string;
    execFileSync('tar', ['-xzf', tarball, 'package/generated/api.github.com.json'], { cwd: directory });
    const path = join(directory, 'package/generated/api.github.com.json');
    return { spec: JSON.parse(readFileSync(path, 'utf8')) as JsonObject, origin: `npm ${packageName}` };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Drops documentation and extensions, turns `nullable` into a null type and rewrites component references. */
function toJsonSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJsonSchema);
  if (value === null || typeof value !== 'object') return value;
  const source = value as JsonObject;
  const result: JsonObject = {};
  for (const [key, child] of Object.entries(source)) {
    if (key.startsWith('x-') || key === 'example' || key === 'examples' || key === 'externalDocs') continue;
    // Documentation strings only: a *property* named `description` or `title` has an object value.
    if ((key === 'description' || key === 'title') && typeof child === 'string') continue;
    if (key === 'nullable' || key === 'format') continue;
    if (key === '$ref' && typeof child === 'string') {
      result[key] = child.replace('#/components/schemas/', '#/schemas/');
      continue;
    }
    result[key] = key === 'properties' ? mapValues(child, toJsonSchema) : toJsonSchema(child);
  }
  if (source['nullable'] === true) {
    if (typeof result['type'] === 'string') {
      result['type'] = [result['type'], 'null'];
      if (Array.isArray(result['enum'])) result['enum'] = [...(result['enum'] as unknown[]), null];
    } else {
      return { anyOf: [result, { type: 'null' }] };
    }
  }
  return result;
}

function mapValues(value: unknown, transform: (child: unknown) => unknown): JsonObject {
  const result: JsonObject = {};
  for (const [key, child] of Object.entries((value ?? {}) as JsonObject)) result[key] = transform(child);
  return result;
}

function collectReferences(value: unknown, schemas: JsonObject, found: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, schemas, found);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value as JsonObject)) {
    if (key === '$ref' && typeof child === 'string' && child.startsWith('#/components/schemas/')) {
      const name = child.slice('#/components/schemas/'.length);
      if (!found.has(name)) {
        found.add(name);
        collectReferences(schemas[name], schemas, found);
      }
    } else {
      collectReferences(child, schemas, found);
    }
  }
}

function resolveComponent(spec: JsonObject, value: JsonObject): JsonObject {
  const reference = value['$ref'];
  if (typeof reference !== 'string') return value;
  const [, , kind, name] = reference.split('/');
  const components = spec['components'] as Record<string, Record<string, JsonObject>>;
  return components[kind as string]?.[name as string] as JsonObject;
}

function jsonContentSchema(content: unknown): JsonObject | null {
  const json = (content as Record<string, { schema?: JsonObject }> | undefined)?.['application/json'];
  return json?.schema ?? null;
}

function extractGitHub(): void {
  const { spec, origin } = loadGitHubDescription();
  const paths = spec['paths'] as Record<string, Record<string, JsonObject>>;
  const componentSchemas = (spec['components'] as { schemas: JsonObject }).schemas;
  const referenced = new Set<string>();
  const operations = GITHUB_OPERATIONS.map(([method, path]) => {
    const operation = paths[path]?.[method];
    if (operation === undefined) throw new Error(`${method.toUpperCase()} ${path} is not in ${origin}`);
    const parameters = ((operation['parameters'] ?? []) as JsonObject[]).map((p) =>
      resolveComponent(spec, p),
    );
    const body = jsonContentSchema(
      resolveComponent(spec, (operation['requestBody'] ?? {}) as JsonObject)['content'],
    );
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(operation['responses'] as Record<string, JsonObject>)) {
      const schema = jsonContentSchema(resolveComponent(spec, response)['content']);
      collectReferences(schema, componentSchemas, referenced);
      responses[status] = schema === null ? null : toJsonSchema(schema);
    }
    collectReferences(body, componentSchemas, referenced);
    return {
      method: method.toUpperCase(),
      path,
      operationId: String(operation['operationId']),
      pathParameters: parameters.filter((p) => p['in'] === 'path').map((p) => String(p['name'])),
      queryParameters: parameters
        .filter((p) => p['in'] === 'query')
        .map((p) => ({ name: String(p['name']), schema: toJsonSchema(p['schema']) })),
      ...(body === null ? {} : { requestBody: toJsonSchema(body) }),
      responses,
    };
  });
  const schemas: JsonObject = {};
  for (const name of [...referenced].sort()) schemas[name] = toJsonSchema(componentSchemas[name]);
  const info = spec['info'] as { version?: string };
  const output = {
    source: {
      description: 'github/rest-api-description descriptions/api.github.com/api.github.com.json',
      readFrom: origin,
      version: info.version ?? 'unknown',
      openapi: spec['openapi'],
      licence:
        'MIT, Copyright GitHub, Inc. (github/rest-api-description); npm package by the Octokit contributors',
      generatedBy: 'packages/testkit/scripts/extract-forge-specs.ts',
    },
    operations,
    schemas,
  };
  const target = join(SPECS_DIRECTORY, 'github-rest-extract.json');
  writeFileSync(target, `${JSON.stringify(output, null, 2)}\n`);
  // The repository's formatter owns the layout of committed JSON.
  execFileSync('npx', ['biome', 'format', '--write', target], { stdio: 'ignore' });
  console.log(`github: ${operations.length} operations, ${referenced.size} schemas → ${target}`);
}

/**
 * The GitLab extract: GitLab's OpenAPI excerpt with the REST docs laid over it (see scripts/gitlab-extract.ts). No
 * download: both inputs are committed.
 */
function extractGitLab(): void {
  const read = (name: string) => JSON.parse(readFileSync(join(SPECS_DIRECTORY, name), 'utf8'));
  const extract = buildGitLabExtract(
    read('gitlab-openapi-v2-excerpt.json') as GitLabOpenApiExcerpt,
    read('gitlab-rest-docs.json') as GitLabRestDocs,
  );
  const target = join(SPECS_DIRECTORY, 'gitlab-rest-extract.json');
  writeFileSync(target, `${JSON.stringify(extract, null, 2)}\n`);
  execFileSync('npx', ['biome', 'format', '--write', target], { stdio: 'ignore' });
  const operations = extract['operations'] as Array<{ coverage?: string }>;
  const covered = operations.filter((operation) => operation.coverage !== 'rest-docs').length;
  console.log(`gitlab: ${covered} of ${operations.length} operations from openapi_v2.yaml → ${target}`);
}

// `--gitlab` rebuilds only the GitLab extract (nothing to download).
if (process.argv[2] === '--gitlab') {
  extractGitLab();
} else {
  extractGitHub();
  extractGitLab();
}
