import type { ResourceType } from './resource-types.js';

/** An `additionalPrinterColumns` entry of a CRD (apiextensions.k8s.io/v1 CustomResourceColumnDefinition). */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'date' | 'integer' | 'number' | 'boolean';
  /** A simple JSONPath: dotted fields and at most one `[?(@.key=="value")]` filter per segment. */
  jsonPath: string;
  description?: string;
  priority?: number;
}

/** How kubectl names and groups a resource: discovery's shortNames and categories, and its table columns. */
export interface ResourcePresentation {
  shortNames: string[];
  categories: string[];
  /** For custom resources: the CRD's additionalPrinterColumns (none → NAME and AGE, as for any CRD). */
  printerColumns?: PrinterColumn[];
}

const SUCCEEDED = '.status.conditions[?(@.type=="Succeeded")]';

/** Tekton's PipelineRun and TaskRun columns (config/300-crds/300-pipelinerun.yaml, 300-taskrun.yaml). */
const RUN_COLUMNS: PrinterColumn[] = [
  { name: 'Succeeded', type: 'string', jsonPath: `${SUCCEEDED}.status` },
  { name: 'Reason', type: 'string', jsonPath: `${SUCCEEDED}.reason` },
  { name: 'StartTime', type: 'date', jsonPath: '.status.startTime' },
  { name: 'CompletionTime', type: 'date', jsonPath: '.status.completionTime' },
];

const TEKTON = ['tekton', 'tekton-pipelines'];
const TRIGGERS = ['tekton', 'tekton-triggers'];

/**
 * Keyed by `<group>/<plural>` so that every served version of a kind shares them. Core shortNames and the
 * `all` category are those the API server declares (pkg/registry/core/<resource>/storage: pods `po` in `all`,
 * configmaps `cm`, namespaces `ns`, serviceaccounts `sa`, events `ev`, persistentvolumeclaims `pvc`); Tekton's
 * are its CRDs' `names` (pipelineruns `pr`/`prs`, taskruns `tr`/`trs`, pipelines and tasks none) and Triggers'
 * (eventlisteners `el`, triggerbindings `tb`, triggertemplates `tt`).
 */
const PRESENTATIONS: Record<string, ResourcePresentation> = {
  '/pods': { shortNames: ['po'], categories: ['all'] },
  '/configmaps': { shortNames: ['cm'], categories: [] },
  '/secrets': { shortNames: [], categories: [] },
  '/namespaces': { shortNames: ['ns'], categories: [] },
  '/serviceaccounts': { shortNames: ['sa'], categories: [] },
  '/events': { shortNames: ['ev'], categories: [] },
  '/persistentvolumeclaims': { shortNames: ['pvc'], categories: [] },
  'tekton.dev/pipelineruns': { shortNames: ['pr', 'prs'], categories: TEKTON, printerColumns: RUN_COLUMNS },
  'tekton.dev/taskruns': { shortNames: ['tr', 'trs'], categories: TEKTON, printerColumns: RUN_COLUMNS },
  'tekton.dev/pipelines': { shortNames: [], categories: TEKTON },
  'tekton.dev/tasks': { shortNames: [], categories: TEKTON },
  'triggers.tekton.dev/eventlisteners': { shortNames: ['el'], categories: TRIGGERS },
  'triggers.tekton.dev/triggerbindings': { shortNames: ['tb'], categories: TRIGGERS },
  'triggers.tekton.dev/triggertemplates': { shortNames: ['tt'], categories: TRIGGERS },
};

/** The discovery names and table columns of a served type. */
export function presentationOf(type: ResourceType): ResourcePresentation {
  return PRESENTATIONS[`${type.group}/${type.plural}`] ?? { shortNames: [], categories: [] };
}
