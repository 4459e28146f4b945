import { describe, expect, it } from 'vitest';
import { renderReleaseTekton } from '../src/index.js';

/** Tekton's rule for string param names (pipeline webhook, `stringAndArrayVariableNameFormat`). */
const TEKTON_PARAM_NAME = /^[_a-zA-Z][_a-zA-Z0-9.-]*$/;

describe('renderReleaseTekton: release values named unlike Tekton params', () => {
  it('a value whose name starts with a digit gets a param Tekton accepts, in the Task and the Pipeline', () => {
    const values = ['2fa.enabled', '9', 'image.tag', '_x'];
    for (const layout of ['single-step', 'per-stage'] as const) {
      const rendered = renderReleaseTekton({
        values,
        mode: 'standalone',
        layout,
        ...(layout === 'per-stage' ? { stageNames: ['dev', 'prod'] } : {}),
      });
      expect(rendered.valueParams).toEqual({
        '2fa.enabled': '_2fa_enabled',
        '9': '_9',
        'image.tag': 'image_tag',
        _x: 'x',
      });
      const names = [
        ...(rendered.task.spec?.params ?? []).map((param) => param.name),
        ...(rendered.pipeline.spec?.params ?? []).map((param) => param.name),
        ...(rendered.pipeline.spec?.tasks ?? []).flatMap((task) =>
          (task.params ?? []).map((param) => param.name),
        ),
      ];
      for (const name of names) expect(name).toMatch(TEKTON_PARAM_NAME);
      // The Task's env still names the value as the stages file does, and takes it from the renamed param.
      const env = rendered.task.spec?.steps?.[0]?.env ?? [];
      expect(env).toContainEqual({ name: 'RELEASE_NAME_0', value: '2fa.enabled' });
      expect(env).toContainEqual({ name: 'RELEASE_VALUE_0', value: '$(params._2fa_enabled)' });
    }
  });

  it('values keep their order (after the build the first is the built commit) and one named __proto__ stays', () => {
    const rendered = renderReleaseTekton({ values: ['image.tag', '7', '__proto__'] });
    expect(Object.hasOwn(rendered.valueParams, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(rendered.valueParams, '__proto__')?.value).toBe('proto');
    const env = rendered.task.spec?.steps?.[0]?.env ?? [];
    expect(
      env.filter((entry) => entry.name.startsWith('RELEASE_NAME_')).map((entry) => [entry.name, entry.value]),
    ).toEqual([
      ['RELEASE_NAME_0', 'image.tag'],
      ['RELEASE_NAME_1', '7'],
      ['RELEASE_NAME_2', '__proto__'],
    ]);
    const release = rendered.pipeline.spec?.tasks?.find((task) => task.name === 'release');
    expect(release?.params?.slice(0, 3)).toEqual([
      { name: 'image_tag', value: '$(tasks.clone.results.commit)' },
      { name: '_7', value: '$(params._7)' },
      { name: 'proto', value: '$(params.proto)' },
    ]);
    // The Pipeline asks for the values the build does not give: 7 and __proto__, not image.tag.
    const pipelineParams = (rendered.pipeline.spec?.params ?? []).map((param) => param.name);
    expect(pipelineParams).toEqual(expect.arrayContaining(['_7', 'proto']));
    expect(pipelineParams).not.toContain('image_tag');
  });

  it('the prefixed name still collides like any other: `_9` and `9` are refused together', () => {
    expect(() => renderReleaseTekton({ values: ['9', '_9'], mode: 'standalone' })).toThrow(
      /the values "_9" and "9" would both be the param _9/,
    );
  });
});
