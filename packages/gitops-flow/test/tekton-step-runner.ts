import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { KubeEmulator, StepRunContext, TaskScript, TaskScriptContext } from '@gitops-kit/testkit';

type JsonRecord = Record<string, unknown>;
const record = (value: unknown): JsonRecord => (value ?? {}) as JsonRecord;
const records = (value: unknown): JsonRecord[] => (Array.isArray(value) ? (value as JsonRecord[]) : []);

/**
 * Runs step `stepName` of the Task the KubeEmulator stored (after admission) the way its container would: the
 * script with `sh` (its `$(params.x)` substituted, as Tekton does), the env resolved from the TaskRun's params and Secrets, the Secret and ConfigMap volumes
 * written as files under a temporary root (the script's mount paths point there), and `npx` replaced by
 * the shell script the test gives (e.g. one that runs the built CLI). Optional Secrets that do not exist are not
 * mounted, and optional Secret keys that do not exist leave their variable unset, as the kubelet does.
 */
export function renderedStep(
  kube: KubeEmulator,
  options: { namespace: string; task: string; step: string; npx: string },
): (context: TaskScriptContext) => TaskScript {
  return (context) => {
    const run = async ({ log, signal }: StepRunContext): Promise<number> => {
      const task = kube.getObject({ kind: 'Task', namespace: options.namespace, name: options.task });
      const spec = record(task?.['spec']);
      const step = records(spec['steps']).find((entry) => entry['name'] === options.step);
      if (step === undefined) throw new Error(`no step ${options.step} in Task ${options.task}`);
      const root = await mkdtemp(join(tmpdir(), 'tekton-step-'));
      const object = (kind: string, name: unknown) =>
        kube.getObject({ kind, namespace: options.namespace, name: String(name) });
      const mounts = records(step['volumeMounts']);
      for (const volume of records(spec['volumes'])) {
        const mount = mounts.find((entry) => entry['name'] === volume['name']);
        if (mount === undefined) continue;
        const files: Record<string, string> = {};
        if (volume['secret'] !== undefined) {
          const source = record(volume['secret']);
          const secret = object('Secret', source['secretName']);
          if (secret === undefined) {
            if (source['optional'] === true) continue;
            throw new Error(`Secret ${String(source['secretName'])} is missing`);
          }
          for (const [key, value] of Object.entries(record(secret['data'])))
            files[key] = Buffer.from(String(value), 'base64').toString('utf8');
        } else if (volume['configMap'] !== undefined) {
          const source = record(volume['configMap']);
          const data = record(object('ConfigMap', source['name'])?.['data']);
          for (const item of records(source['items']))
            files[String(item['path'])] = String(data[String(item['key'])]);
        }
        for (const [path, content] of Object.entries(files)) {
          const file = join(root, String(mount['mountPath']), path);
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, content);
        }
      }
      // One pass, longest mount path first: `/var/secret/git` must not rewrite `/var/secret/gitlab` twice.
      const paths = mounts.map((mount) => String(mount['mountPath'])).sort((x, y) => y.length - x.length);
      const pattern = new RegExp(
        paths.map((path) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
        'g',
      );
      const relocate = (text: string): string =>
        paths.length === 0 ? text : text.replace(pattern, (path) => join(root, path));
      const substitute = (text: string): string =>
        relocate(
          text.replace(/\$\(params\.([A-Za-z0-9_-]+)\)/g, (_, name: string) =>
            String(context.params[name] ?? ''),
          ),
        );
      const env: Record<string, string> = {
        PATH: `${join(root, 'bin')}:${process.env['PATH'] ?? ''}`,
        HOME: root,
      };
      for (const entry of records(step['env'])) {
        const name = String(entry['name']);
        if (typeof entry['value'] === 'string') env[name] = substitute(entry['value']);
        const reference = record(record(entry['valueFrom'])['secretKeyRef']);
        if (reference['name'] !== undefined) {
          const data = record(object('Secret', reference['name'])?.['data']);
          const value = data[String(reference['key'])];
          // The kubelet leaves an optional reference to a missing Secret or key unset; a required one stops the pod.
          if (value === undefined) {
            if (reference['optional'] === true) continue;
            throw new Error(`Secret ${String(reference['name'])} has no key ${String(reference['key'])}`);
          }
          env[name] = Buffer.from(String(value), 'base64').toString('utf8');
        }
      }
      await mkdir(join(root, 'bin'));
      await writeFile(join(root, 'bin', 'npx'), options.npx);
      await chmod(join(root, 'bin', 'npx'), 0o755);
      await writeFile(join(root, 'script'), substitute(String(step['script'])));
      return new Promise<number>((resolve, reject) => {
        const child = spawn('sh', [join(root, 'script')], { env, cwd: root, signal });
        let pending = '';
        const onData = (chunk: Buffer) => {
          pending += chunk.toString('utf8');
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) log(line);
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('error', reject);
        child.on('close', (code) => {
          if (pending) log(pending);
          resolve(code ?? 1);
        });
      });
    };
    return { steps: { [options.step]: { durationMs: 10, run } } };
  };
}
