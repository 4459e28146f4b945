/**
 * Schemas (swagger 2 `definitions`, `#/definitions/` references) for the Kubernetes kinds the emulator serves
 * and the meta types every kind uses. There is no Kubernetes swagger in the project, so these are written by
 * hand from the field lists of k8s.io/api core/v1 and k8s.io/apimachinery meta/v1: complete where the emulator
 * stores and interprets a field (ConfigMap, Secret, ServiceAccount, Namespace, Event, ObjectMeta), and
 * `x-kubernetes-preserve-unknown-fields` where it does not model the type (a pod's spec and status, volumes,
 * probes…), so that nothing valid is refused for want of a schema.
 */
type Schema = Record<string, unknown>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const CORE = 'io.k8s.api.core.v1';
const ref = (name: string, description?: string): Schema => ({
  ...(description === undefined ? {} : { description }),
  $ref: `#/definitions/${name}`,
});
const string = (description: string): Schema => ({ description, type: 'string' });
const stringMap = (description: string): Schema => ({
  description,
  type: 'object',
  additionalProperties: { type: 'string', default: '' },
});
const open = (description: string): Schema => ({
  description,
  type: 'object',
  'x-kubernetes-preserve-unknown-fields': true,
});
const gvk = (kind: string): Schema => ({
  'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind }],
});

const TYPE_META = {
  apiVersion: string('APIVersion defines the versioned schema of this representation of an object.'),
  kind: string('Kind is a string value representing the REST resource this object represents.'),
};
const OBJECT_META = { metadata: ref(`${META}.ObjectMeta`, "Standard object's metadata.") };

function kind(name: string, description: string, properties: Schema, extra: Schema = {}): Schema {
  return {
    description,
    type: 'object',
    properties: { ...TYPE_META, ...OBJECT_META, ...properties },
    ...gvk(name),
    ...extra,
  };
}

/** Meta types and the served core kinds. */
export const CORE_DEFINITIONS: Record<string, Schema> = {
  [`${META}.Time`]: {
    description: 'Time is a wrapper around time.Time (RFC 3339).',
    type: 'string',
    format: 'date-time',
  },
  [`${META}.MicroTime`]: {
    description: 'MicroTime is version of Time with microsecond level precision.',
    type: 'string',
    format: 'date-time',
  },
  [`${META}.Duration`]: {
    description: 'Duration is a wrapper around time.Duration (a Go duration string).',
    type: 'string',
  },
  [`${META}.OwnerReference`]: {
    description: 'OwnerReference contains enough information to let you identify an owning object.',
    type: 'object',
    required: ['apiVersion', 'kind', 'name', 'uid'],
    properties: {
      apiVersion: string('API version of the referent.'),
      kind: string('Kind of the referent.'),
      name: string('Name of the referent.'),
      uid: string('UID of the referent.'),
      controller: {
        description: 'If true, this reference points to the managing controller.',
        type: 'boolean',
      },
      blockOwnerDeletion: {
        description: 'If true, the owner cannot be deleted before this object.',
        type: 'boolean',
      },
    },
    'x-kubernetes-map-type': 'atomic',
  },
  [`${META}.ManagedFieldsEntry`]: open(
    'ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.',
  ),
  [`${META}.ObjectMeta`]: {
    description: 'ObjectMeta is metadata that all persisted resources must have.',
    type: 'object',
    properties: {
      name: string('Name must be unique within a namespace.'),
      generateName: string(
        'GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.',
      ),
      namespace: string('Namespace defines the space within which each name must be unique.'),
      uid: string('UID is the unique in time and space value for this object. Populated by the system.'),
      resourceVersion: string(
        'An opaque value that represents the internal version of this object. Populated by the system.',
      ),
      generation: {
        description: 'A sequence number representing a specific generation of the desired state.',
        type: 'integer',
        format: 'int64',
      },
      creationTimestamp: ref(
        `${META}.Time`,
        'CreationTimestamp is a timestamp representing the server time when this object was created.',
      ),
      deletionTimestamp: ref(
        `${META}.Time`,
        'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.',
      ),
      deletionGracePeriodSeconds: {
        description: 'Number of seconds allowed for this object to gracefully terminate.',
        type: 'integer',
        format: 'int64',
      },
      labels: stringMap('Map of string keys and values that can be used to organize and categorize objects.'),
      annotations: stringMap('Annotations is an unstructured key value map stored with a resource.'),
      ownerReferences: {
        description: 'List of objects depended by this object.',
        type: 'array',
        items: ref(`${META}.OwnerReference`),
        'x-kubernetes-list-map-keys': ['uid'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'uid',
        'x-kubernetes-patch-strategy': 'merge',
      },
      finalizers: {
        description: 'Must be empty before the object is deleted from the registry.',
        type: 'array',
        items: { type: 'string', default: '' },
        'x-kubernetes-list-type': 'set',
        'x-kubernetes-patch-strategy': 'merge',
      },
      managedFields: {
        description:
          'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.',
        type: 'array',
        items: ref(`${META}.ManagedFieldsEntry`),
        'x-kubernetes-list-type': 'atomic',
      },
    },
  },
  [`${META}.ListMeta`]: {
    description: 'ListMeta describes metadata that synthetic resources must have.',
    type: 'object',
    properties: {
      resourceVersion: string("String that identifies the server's internal version of this object."),
      continue: string('continue may be set if the user set a limit on the number of items returned.'),
      remainingItemCount: {
        description:
          'The number of subsequent items in the list which are not included in this list response.',
        type: 'integer',
        format: 'int64',
      },
    },
  },
  [`${CORE}.ObjectReference`]: {
    description:
      'ObjectReference contains enough information to let you inspect or modify the referred object.',
    type: 'object',
    properties: {
      apiVersion: string('API version of the referent.'),
      kind: string('Kind of the referent.'),
      name: string('Name of the referent.'),
      namespace: string('Namespace of the referent.'),
      uid: string('UID of the referent.'),
      resourceVersion: string('Specific resourceVersion to which this reference is made, if any.'),
      fieldPath: string(
        'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.',
      ),
    },
    'x-kubernetes-map-type': 'atomic',
  },
  [`${CORE}.LocalObjectReference`]: {
    description:
      'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.',
    type: 'object',
    properties: { name: string('Name of the referent.') },
    'x-kubernetes-map-type': 'atomic',
  },
  [`${CORE}.ConfigMap`]: kind('ConfigMap', 'ConfigMap holds configuration data for pods to consume.', {
    data: stringMap('Data contains the configuration data.'),
    binaryData: {
      description: 'BinaryData contains the binary data (base64).',
      type: 'object',
      additionalProperties: { type: 'string', format: 'byte' },
    },
    immutable: {
      description: 'Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated.',
      type: 'boolean',
    },
  }),
  [`${CORE}.Secret`]: kind('Secret', 'Secret holds secret data of a certain type.', {
    data: {
      description: 'Data contains the secret data (base64).',
      type: 'object',
      additionalProperties: { type: 'string', format: 'byte' },
    },
    stringData: stringMap(
      'stringData allows specifying non-binary secret data in string form. It is merged into data on write.',
    ),
    type: string('Used to facilitate programmatic handling of secret data.'),
    immutable: {
      description: 'Immutable, if set to true, ensures that data stored in the Secret cannot be updated.',
      type: 'boolean',
    },
  }),
  [`${CORE}.ServiceAccount`]: kind(
    'ServiceAccount',
    'ServiceAccount binds together a name, a principal that can be authenticated and a set of secrets.',
    {
      secrets: {
        description:
          'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
        type: 'array',
        items: ref(`${CORE}.ObjectReference`),
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      },
      imagePullSecrets: {
        description:
          'ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images.',
        type: 'array',
        items: ref(`${CORE}.LocalObjectReference`),
        'x-kubernetes-list-type': 'atomic',
      },
      automountServiceAccountToken: {
        description:
          'Whether pods running as this service account should have an API token automatically mounted.',
        type: 'boolean',
      },
    },
  ),
  [`${CORE}.Namespace`]: kind('Namespace', 'Namespace provides a scope for Names.', {
    spec: {
      description: 'Spec defines the behavior of the Namespace.',
      type: 'object',
      properties: {
        finalizers: {
          description:
            'Finalizers is an opaque list of values that must be empty to permanently remove object from storage.',
          type: 'array',
          items: { type: 'string', default: '' },
          'x-kubernetes-list-type': 'atomic',
        },
      },
    },
    status: {
      description: 'Status describes the current status of a Namespace.',
      type: 'object',
      properties: { phase: string('Phase is the current lifecycle phase of the namespace.') },
      'x-kubernetes-preserve-unknown-fields': true,
    },
  }),
  [`${CORE}.Event`]: kind(
    'Event',
    'Event is a report of an event somewhere in the cluster.',
    {
      involvedObject: ref(`${CORE}.ObjectReference`, 'The object that this event is about.'),
      reason: string(
        "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
      ),
      message: string('A human-readable description of the status of this operation.'),
      type: string('Type of this event (Normal, Warning), new types could be added in the future.'),
      count: {
        description: 'The number of times this event has occurred.',
        type: 'integer',
        format: 'int32',
      },
      firstTimestamp: ref(`${META}.Time`, 'The time at which the event was first recorded.'),
      lastTimestamp: ref(
        `${META}.Time`,
        'The time at which the most recent occurrence of this event was recorded.',
      ),
      eventTime: ref(`${META}.MicroTime`, 'Time when this Event was first observed.'),
      source: open('The component reporting this event.'),
      reportingComponent: string('Name of the controller that emitted this Event.'),
      reportingInstance: string('ID of the controller instance.'),
      action: string('What action was taken/failed regarding to the Regarding object.'),
      related: ref(`${CORE}.ObjectReference`, 'Optional secondary object for more complex actions.'),
      series: open('Data about the Event series this event represents.'),
    },
    { required: ['metadata', 'involvedObject'] },
  ),
  [`${CORE}.Pod`]: kind('Pod', 'Pod is a collection of containers that can run on a host.', {
    spec: open(
      'Specification of the desired behavior of the pod (not modelled field by field by the emulator).',
    ),
    status: open('Most recently observed status of the pod.'),
  }),
  [`${CORE}.PersistentVolumeClaim`]: kind(
    'PersistentVolumeClaim',
    "PersistentVolumeClaim is a user's request for and claim to a persistent volume.",
    {
      spec: open('spec defines the desired characteristics of a volume requested by a pod author.'),
      status: open('status represents the current information/status of a persistent volume claim.'),
    },
  ),
};

/** A schema for a Kubernetes type the emulator does not model (referenced from Tekton's schemas). */
export function placeholderDefinition(name: string): Schema {
  return open(
    `${name.split('.').pop() ?? name} (Kubernetes type, not modelled by the emulator: any fields accepted).`,
  );
}
