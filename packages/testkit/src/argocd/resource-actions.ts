import { parse as parseYaml } from 'yaml';
import { GrpcCode, rpcError } from './grpc-status.js';

/**
 * Resource actions as Argo CD configures them (util/lua/lua.go GetResourceActionDiscovery / GetResourceAction):
 * an argocd-cm key `resource.customizations.actions.<group>_<kind>` (or `.<kind>` for the core group, or the
 * legacy `resource.customizations` block's `actions`) holds YAML with `discovery.lua`, `definitions[]`
 * (`name`, `action.lua`) and `mergeBuiltinActions`; without `mergeBuiltinActions: true` a configured discovery
 * script replaces the built-in one. Built-in actions exist for Deployments (restart, pause, resume, scale), as
 * Argo CD ships in resource_customizations/apps/Deployment/actions; the scripts below are written for the
 * emulator and behave the same.
 */

interface ActionsConfiguration {
  discoveryLua?: string;
  definitions: Array<{ name: string; actionLua: string }>;
  mergeBuiltinActions: boolean;
}

const DEPLOYMENT_ACTIONS = {
  discovery: [
    'local isPaused = obj.spec ~= nil and obj.spec.paused == true',
    'local offered = {}',
    'offered["restart"] = { iconClass = "fa fa-fw fa-redo" }',
    'offered["pause"] = { disabled = isPaused, iconClass = "fa fa-fw fa-pause-circle" }',
    'offered["resume"] = { disabled = not isPaused, iconClass = "fa fa-fw fa-play-circle" }',
    'offered["scale"] = { iconClass = "fa fa-fw fa-plus-circle", params = { { name = "replicas" } } }',
    'return offered',
  ].join('\n'),
  actions: {
    // `kubectl rollout restart`: a new pod-template annotation makes the Deployment roll its pods.
    restart: [
      'local os = require("os")',
      'local template = obj.spec.template',
      'if template.metadata == nil then template.metadata = {} end',
      'if template.metadata.annotations == nil then template.metadata.annotations = {} end',
      'template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] = os.date("!%Y-%m-%dT%XZ")',
      'return obj',
    ].join('\n'),
    pause: 'obj.spec.paused = true\nreturn obj',
    resume: 'obj.spec.paused = nil\nreturn obj',
    scale: [
      'local wanted = tonumber(actionParams["replicas"])',
      'if wanted == nil then error("invalid number: " .. tostring(actionParams["replicas"]), 0) end',
      'obj.spec.replicas = wanted',
      'return obj',
    ].join('\n'),
  } as Record<string, string>,
};

const BUILT_IN: Record<string, typeof DEPLOYMENT_ACTIONS> = { 'apps/Deployment': DEPLOYMENT_ACTIONS };

/** util/lua GetConfigMapKey: `group/kind`, or the kind alone for the core group. */
function overrideKey(group: string, kind: string): string {
  return group ? `${group}/${kind}` : kind;
}

function parseActions(text: string, key: string): ActionsConfiguration {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw rpcError(GrpcCode.Unknown, `error getting resource overrides: ${key}: ${(error as Error).message}`);
  }
  const document = (parsed ?? {}) as Record<string, unknown>;
  const definitions = Array.isArray(document.definitions) ? document.definitions : [];
  return {
    ...(typeof document['discovery.lua'] === 'string' ? { discoveryLua: document['discovery.lua'] } : {}),
    definitions: definitions
      .map((entry) => entry as Record<string, unknown>)
      .filter((entry) => typeof entry.name === 'string' && typeof entry['action.lua'] === 'string')
      .map((entry) => ({ name: entry.name as string, actionLua: entry['action.lua'] as string })),
    mergeBuiltinActions: document.mergeBuiltinActions === true,
  };
}

/** The configured actions for a group/kind from argocd-cm (settings.go key forms), if any. */
function configuredActions(
  argocdCm: Readonly<Record<string, string>>,
  group: string,
  kind: string,
): ActionsConfiguration | undefined {
  const key = overrideKey(group, kind);
  for (const [name, value] of Object.entries(argocdCm)) {
    if (!name.startsWith('resource.customizations.actions.')) continue;
    // convertToOverrideKey: `<group>_<kind>` → `group/kind`, a bare `<kind>` is the core group.
    const parts = name.slice('resource.customizations.actions.'.length).split('_');
    const candidate = parts.length === 2 ? `${parts[0]}/${parts[1]}` : parts[0];
    if (candidate === key) return parseActions(value, name);
  }
  const legacy = argocdCm['resource.customizations'];
  if (legacy) {
    const overrides = (parseYaml(legacy) ?? {}) as Record<string, { actions?: unknown }>;
    const actions = overrides[key]?.actions;
    if (typeof actions === 'string') return parseActions(actions, 'resource.customizations');
  }
  return undefined;
}

/** The discovery scripts to run for a resource, configured first (GetResourceActionDiscovery). */
export function discoveryScripts(
  argocdCm: Readonly<Record<string, string>>,
  group: string,
  kind: string,
): string[] {
  const configured = configuredActions(argocdCm, group, kind);
  const scripts: string[] = [];
  if (configured?.discoveryLua !== undefined) {
    if (!configured.mergeBuiltinActions) return [configured.discoveryLua];
    scripts.push(configured.discoveryLua);
  }
  const builtIn = BUILT_IN[overrideKey(group, kind)];
  if (builtIn) scripts.push(builtIn.discovery);
  return scripts;
}

/**
 * The Lua of one action: a configured definition first, then the built-in one (GetResourceAction).
 * @throws RpcStatusError Unknown `error getting Lua resource action: built-in script does not exist`.
 */
export function actionScript(
  argocdCm: Readonly<Record<string, string>>,
  group: string,
  kind: string,
  action: string,
): string {
  const configured = configuredActions(argocdCm, group, kind);
  const definition = configured?.definitions.find((candidate) => candidate.name === action);
  if (definition) return definition.actionLua;
  const builtIn = BUILT_IN[overrideKey(group, kind)]?.actions[action];
  if (builtIn !== undefined) return builtIn;
  throw rpcError(GrpcCode.Unknown, 'error getting Lua resource action: built-in script does not exist');
}
