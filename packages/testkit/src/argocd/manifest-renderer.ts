import { parse as parseYaml } from 'yaml';
import type { GitRevisionReader } from './git-revisions.js';
import type { Application, ApplicationSource, JsonObject, KubeObject } from './model.js';

/** What a renderer gets: the app, its source at the resolved commit and the merged Helm values. */
export interface RenderContext {
  appName: string;
  namespace: string;
  source: ApplicationSource;
  revision: string;
  /** Helm values after merging value files, `values`, `valuesObject` and `parameters` (Helm's precedence). */
  values: JsonObject;
  /** Reads a file at the resolved commit, relative to the repository root. */
  readFile: (path: string) => Promise<string | undefined>;
}

/** Turns an application source into the Kubernetes objects a sync would apply. */
export type ManifestRenderer = (context: RenderContext) => Promise<KubeObject[]> | KubeObject[];

function isPlainObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Deep-merges Helm values: maps merge, everything else is replaced. */
export function mergeValues(base: JsonObject, override: JsonObject): JsonObject {
  const result: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const existing = result[key];
    result[key] = isPlainObject(existing) && isPlainObject(value) ? mergeValues(existing, value) : value;
  }
  return result;
}

/** Applies `--set name=value` style parameters (dotted paths; numbers/booleans parsed unless forceString). */
export function setValueAtPath(
  values: JsonObject,
  dottedPath: string,
  raw: string,
  forceString = false,
): void {
  const keys = dottedPath.split('.');
  let current = values;
  keys.slice(0, -1).forEach((key) => {
    if (!isPlainObject(current[key])) current[key] = {};
    current = current[key] as JsonObject;
  });
  const last = keys.at(-1) ?? dottedPath;
  if (forceString) current[last] = raw;
  else if (raw === 'true' || raw === 'false') current[last] = raw === 'true';
  else if (/^-?\d+(\.\d+)?$/.test(raw) && !/^0\d/.test(raw)) current[last] = Number(raw);
  else current[last] = raw;
}

function joinSourcePath(base: string | undefined, file: string): string {
  if (file.startsWith('/')) return file.slice(1);
  const prefix = (base ?? '').replace(/^\.?\/?/, '').replace(/\/$/, '');
  return prefix ? `${prefix}/${file}` : file;
}

/**
 * Merges the Helm values Argo CD would pass to `helm template`: `values.yaml` in the chart path, then each
 * `valueFiles` entry (missing files fail unless `ignoreMissingValueFiles`), then `values`, `valuesObject`, and
 * finally `parameters`.
 *
 * @throws Error when a listed value file is missing or is not valid YAML.
 * @example
 * const values = await mergeHelmValues(
 *   { path: 'helm', helm: { valueFiles: ['my-values.yaml'], parameters: [{ name: 'image.tag', value: 'v2' }] } },
 *   async (path) => (path === 'helm/my-values.yaml' ? 'image: {tag: v1}' : undefined),
 * ); // { image: { tag: 'v2' } }
 */
export async function mergeHelmValues(
  source: ApplicationSource,
  readFile: RenderContext['readFile'],
  readReference?: (file: string) => Promise<string | undefined>,
): Promise<JsonObject> {
  let values: JsonObject = {};
  const chartDefaults = await readFile(joinSourcePath(source.path, 'values.yaml'));
  if (chartDefaults) values = mergeValues(values, asObject(parseYaml(chartDefaults), 'values.yaml'));
  const helm = source.helm ?? {};
  for (const file of helm.valueFiles ?? []) {
    // `$<ref>/path` names a file of another source of a multi-source app (its `ref`), from its repository root.
    const text =
      file.startsWith('$') && readReference
        ? await readReference(file)
        : await readFile(joinSourcePath(source.path, file));
    if (text === undefined) {
      if (helm.ignoreMissingValueFiles === true) continue;
      throw new Error(`Error: open ${file}: no such file or directory`);
    }
    values = mergeValues(values, asObject(parseYaml(text), file));
  }
  if (typeof helm.values === 'string' && helm.values.trim())
    values = mergeValues(values, asObject(parseYaml(helm.values), 'values'));
  if (isPlainObject(helm.valuesObject)) values = mergeValues(values, helm.valuesObject);
  for (const parameter of helm.parameters ?? []) {
    if (parameter.name)
      setValueAtPath(values, parameter.name, parameter.value ?? '', parameter.forceString === true);
  }
  return values;
}

function asObject(value: unknown, file: string): JsonObject {
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) throw new Error(`failed to parse ${file}: values must be a map`);
  return value;
}

function readPath(values: JsonObject, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((current, key) => (isPlainObject(current) ? current[key] : undefined), values);
}

/**
 * The default renderer: a small, chart-like mapping of common Helm values to a Deployment (image from
 * `image.repository`/`image.tag`, `replicaCount`), a Service (`service.type`, `service.port`) and, when
 * `ingress.enabled`, an Ingress. Enough for the resource tree to show the image a commit actually deploys.
 * Never throws; missing values fall back to `nginx:latest`, one replica, port 80.
 *
 * @example
 * const argocd = await ArgoCDEmulator.start({
 *   renderer: async (context) => [...(await defaultManifestRenderer(context)), myConfigMap(context.values)],
 * });
 */
export const defaultManifestRenderer: ManifestRenderer = ({ appName, namespace, source, values }) => {
  const releaseName = source.helm?.releaseName ?? appName;
  const name = String(readPath(values, 'fullnameOverride') ?? releaseName);
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': releaseName };
  const repository = String(readPath(values, 'image.repository') ?? 'nginx');
  const tag = String(readPath(values, 'image.tag') ?? 'latest');
  const replicas = Number(readPath(values, 'replicaCount') ?? 1);
  const port = Number(readPath(values, 'service.port') ?? 80);
  const objects: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels },
      spec: {
        type: String(readPath(values, 'service.type') ?? 'ClusterIP'),
        selector: labels,
        ports: [{ port, targetPort: port }],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name, image: `${repository}:${tag}`, ports: [{ containerPort: port }] }] },
        },
      },
    },
  ];
  if (readPath(values, 'ingress.enabled') === true) {
    const host = String(readPath(values, 'ingress.host') ?? `${name}.example.invalid`);
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, namespace, labels },
      spec: {
        rules: [
          {
            host,
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: port } } } },
              ],
            },
          },
        ],
      },
    });
  }
  return objects;
};

/** Container images referenced by an object's pod template (or pod spec). */
export function imagesOf(object: KubeObject): string[] {
  const spec = object.spec as JsonObject | undefined;
  const podSpec = (isPlainObject(spec?.template) ? (spec.template as JsonObject).spec : spec) as
    | JsonObject
    | undefined;
  const containers = Array.isArray(podSpec?.containers) ? (podSpec.containers as JsonObject[]) : [];
  return containers.map((container) => String(container.image ?? '')).filter(Boolean);
}

/** Renders an app's source at a resolved commit: merged Helm values, then the renderer; namespaces defaulted. */
export async function renderApplicationSource(
  renderer: ManifestRenderer,
  git: GitRevisionReader,
  app: Application,
  source: ApplicationSource,
  revision: string,
  references: ReadonlyMap<string, { repoURL: string; revision: string }> = new Map(),
): Promise<KubeObject[]> {
  const repoURL = source.repoURL ?? '';
  const readFile = (path: string) => git.readFile(repoURL, revision, path);
  const readReference = async (file: string): Promise<string | undefined> => {
    const slash = file.indexOf('/');
    const reference = references.get(file.slice(1, slash === -1 ? undefined : slash));
    if (!reference || slash === -1) throw new Error(`Error: ${file}: no source with this ref`);
    return git.readFile(reference.repoURL, reference.revision, file.slice(slash + 1));
  };
  const values = await mergeHelmValues(source, readFile, readReference);
  const namespace = app.spec.destination?.namespace ?? 'default';
  const objects = await renderer({
    appName: app.metadata.name,
    namespace,
    source,
    revision,
    values,
    readFile,
  });
  for (const object of objects) object.metadata.namespace ??= namespace;
  const kustomization = await readKustomization(source, readFile);
  if (kustomization) applyKustomizeImages(objects, kustomization.images);
  return objects;
}

/** A kustomization's `images:` entry (what `kustomize edit set image` writes). */
interface KustomizeImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** Whether the source path holds a kustomization (Argo CD then renders it with kustomize) and its images. */
export async function readKustomization(
  source: ApplicationSource,
  readFile: RenderContext['readFile'],
): Promise<{ images: KustomizeImageEntry[] } | undefined> {
  for (const file of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
    const text = await readFile(joinSourcePath(source.path, file));
    if (text === undefined) continue;
    const parsed = asObject(parseYaml(text), file);
    const images = Array.isArray(parsed.images) ? parsed.images : [];
    return {
      images: images
        .filter((entry): entry is JsonObject => isPlainObject(entry) && typeof entry.name === 'string')
        .map((entry) => ({
          name: String(entry.name),
          ...(entry.newName !== undefined ? { newName: String(entry.newName) } : {}),
          ...(entry.newTag !== undefined ? { newTag: String(entry.newTag) } : {}),
          ...(entry.digest !== undefined ? { digest: String(entry.digest) } : {}),
        })),
    };
  }
  return undefined;
}

/** Splits `host:5000/app:tag@sha256:…` into the name and what follows it. */
function splitImage(image: string): { name: string; tag: string | undefined; digest: string | undefined } {
  const at = image.indexOf('@');
  const withoutDigest = at === -1 ? image : image.slice(0, at);
  const colon = withoutDigest.lastIndexOf(':');
  const hasTag = colon > withoutDigest.lastIndexOf('/');
  return {
    name: hasTag ? withoutDigest.slice(0, colon) : withoutDigest,
    tag: hasTag ? withoutDigest.slice(colon + 1) : undefined,
    digest: at === -1 ? undefined : image.slice(at + 1),
  };
}

/**
 * Rewrites container images the way kustomize's `images:` transformer does: an entry matches containers whose
 * image name (without tag and digest) equals `name`; `newName` replaces the name, `newTag` the tag, and a
 * `digest` replaces both tag and digest.
 */
function applyKustomizeImages(objects: KubeObject[], images: readonly KustomizeImageEntry[]): void {
  if (images.length === 0) return;
  for (const object of objects) {
    const spec = object.spec as JsonObject | undefined;
    const podSpec = (isPlainObject(spec?.template) ? (spec.template as JsonObject).spec : spec) as
      | JsonObject
      | undefined;
    for (const key of ['initContainers', 'containers'] as const) {
      const containers = Array.isArray(podSpec?.[key]) ? (podSpec[key] as JsonObject[]) : [];
      for (const container of containers) {
        if (typeof container.image !== 'string') continue;
        const current = splitImage(container.image);
        const entry = images.find((image) => image.name === current.name);
        if (!entry) continue;
        const name = entry.newName ?? current.name;
        if (entry.digest !== undefined) container.image = `${name}@${entry.digest}`;
        else {
          const tag = entry.newTag ?? current.tag;
          container.image = `${name}${tag !== undefined ? `:${tag}` : ''}${current.digest !== undefined && entry.newTag === undefined ? `@${current.digest}` : ''}`;
        }
      }
    }
  }
}

/** Whether a source of a multi-source app only provides files to the others (a `ref` without path or chart). */
export function isReferenceOnly(source: ApplicationSource): boolean {
  return typeof source.ref === 'string' && source.ref !== '' && !source.path && !source.chart;
}

/**
 * Renders every source of a multi-source app at its revision (value files may name `$<ref>/…` of a `ref` source)
 * and concatenates the objects, as Argo CD does.
 */
export async function renderApplicationSources(
  renderer: ManifestRenderer,
  git: GitRevisionReader,
  app: Application,
  sources: readonly ApplicationSource[],
  revisions: readonly string[],
): Promise<KubeObject[]> {
  const references = new Map<string, { repoURL: string; revision: string }>();
  sources.forEach((source, index) => {
    if (typeof source.ref === 'string' && source.ref !== '')
      references.set(source.ref, { repoURL: source.repoURL ?? '', revision: revisions[index] ?? '' });
  });
  const objects: KubeObject[] = [];
  for (const [index, source] of sources.entries()) {
    if (isReferenceOnly(source)) continue;
    objects.push(
      ...(await renderApplicationSource(renderer, git, app, source, revisions[index] ?? '', references)),
    );
  }
  return objects;
}
