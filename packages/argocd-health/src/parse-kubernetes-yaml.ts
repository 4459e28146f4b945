import { parseAllDocuments } from 'yaml';
import { HealthConfigurationError } from './errors.js';
import type { KubernetesObject } from './types.js';

const TIMESTAMP_TAG = 'tag:yaml.org,2002:timestamp';

/**
 * Parses Kubernetes YAML the way Argo CD reads it (sigs.k8s.io/yaml over go-yaml v2, i.e. YAML 1.1): `yes`/`no`/
 * `on`/`off` are booleans, timestamps stay strings. Returns every non-empty document that is a mapping.
 *
 * @throws {HealthConfigurationError} when the text is not valid YAML or a document is not a mapping.
 * @example
 * ```ts
 * const [ingress] = parseKubernetesYaml(await readFile('ingress.yaml', 'utf8'));
 * ```
 */
export function parseKubernetesYaml(text: string): KubernetesObject[] {
  try {
    return parseStrictly(text);
  } catch (error) {
    // go-yaml accepts a quoted scalar whose continuation lines are not indented past their key; YAML 1.2 does not.
    const repaired = indentQuotedContinuations(text);
    if (repaired === text) throw error;
    return parseStrictly(repaired);
  }
}

/**
 * Indents the continuation lines of a multi-line quoted scalar one column past the key that opened it.
 * @internal
 */
export function indentQuotedContinuations(text: string): string {
  const lines = text.split('\n');
  let open: { quote: string; minimumIndent: number } | undefined;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as string;
    if (open !== undefined) {
      const indent = line.length - line.trimStart().length;
      if (line.trim() !== '' && indent < open.minimumIndent) {
        lines[index] = ' '.repeat(open.minimumIndent - indent) + line;
      }
      if (closesQuote(line, 0, open.quote)) open = undefined;
      continue;
    }
    const match = /^(\s*(?:- +)*)[^'"#\s][^'"#]*?:\s+(['"])/.exec(line);
    if (match === null) continue;
    const quote = match[2] as string;
    if (!closesQuote(line, match[0].length, quote))
      open = { quote, minimumIndent: (match[1] as string).length + 1 };
  }
  return lines.join('\n');
}

function closesQuote(line: string, from: number, quote: string): boolean {
  for (let index = from; index < line.length; index += 1) {
    const character = line[index];
    if (quote === '"' && character === '\\') {
      index += 1;
    } else if (character === quote) {
      if (quote === "'" && line[index + 1] === "'") index += 1;
      else return true;
    }
  }
  return false;
}

function parseStrictly(text: string): KubernetesObject[] {
  const documents = parseAllDocuments(text, {
    version: '1.1',
    customTags: (tags) => tags.filter((tag) => typeof tag === 'string' || tag.tag !== TIMESTAMP_TAG),
    merge: true,
    // go-yaml (as Argo CD decodes) lets a later duplicate key win.
    uniqueKeys: false,
  });
  const objects: KubernetesObject[] = [];
  for (const document of Array.isArray(documents) ? documents : [documents]) {
    if (document.errors.length > 0) {
      throw new HealthConfigurationError(`Invalid YAML: ${document.errors[0]?.message ?? 'parse error'}`);
    }
    const value: unknown = document.toJS({ maxAliasCount: 1000 });
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new HealthConfigurationError('Each YAML document must be a Kubernetes object (a mapping).');
    }
    objects.push(value as KubernetesObject);
  }
  return objects;
}
