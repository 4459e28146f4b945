import type { ParamSpec, ParamValue } from '../schemas/common.js';
import type { TektonValidationIssue } from './issues.js';

/** The declared type of a param, inferred like Tekton: `type`, else `properties` → object, else the default's shape. */
export function declaredParamType(spec: ParamSpec): 'string' | 'array' | 'object' {
  if (spec.type) return spec.type;
  if (spec.properties) return 'object';
  if (Array.isArray(spec.default)) return 'array';
  if (spec.default !== undefined && typeof spec.default === 'object') return 'object';
  return 'string';
}

function valueShape(value: ParamValue): 'string' | 'array' | 'object' {
  if (typeof value === 'string') return 'string';
  return Array.isArray(value) ? 'array' : 'object';
}

/**
 * Whether `value` may be given for a param of `type`. A string holding a variable (`$(params.list[*])`) stands
 * for whatever it resolves to, so only literal strings are held against array and object params.
 */
export function isParamValueCompatible(type: 'string' | 'array' | 'object', value: ParamValue): boolean {
  const shape = valueShape(value);
  if (shape === type) return true;
  return shape === 'string' && (value as string).includes('$(');
}

/** Checks each given param against its declaration and reports missing required params. */
export function checkParamBindings(
  declared: readonly ParamSpec[],
  given: ReadonlyArray<{ name: string; value: ParamValue }>,
  basePath: Array<string | number>,
  options: { reportMissing: boolean; implicitlyAvailable?: ReadonlySet<string> },
): TektonValidationIssue[] {
  const issues: TektonValidationIssue[] = [];
  const declarations = new Map(declared.map((spec) => [spec.name, spec]));
  given.forEach((param, index) => {
    const spec = declarations.get(param.name);
    if (!spec) return; // extra params are allowed and ignored by Tekton
    const type = declaredParamType(spec);
    if (!isParamValueCompatible(type, param.value)) {
      issues.push({
        code: 'param-type-mismatch',
        path: [...basePath, index, 'value'],
        message: `param "${param.name}" is declared as ${type} but given a${type === 'array' ? 'n' : ''} ${valueShape(param.value)} value`,
      });
    }
  });
  for (const spec of declared) {
    if (!options.reportMissing || spec.default !== undefined) continue;
    if (given.some((param) => param.name === spec.name)) continue;
    if (options.implicitlyAvailable?.has(spec.name)) continue;
    issues.push({
      code: 'missing-param',
      path: basePath,
      message: `param "${spec.name}" has no default and is not given`,
    });
  }
  return issues;
}

/** Reports declarations whose default does not match their type. */
export function checkParamDeclarations(
  declared: readonly ParamSpec[],
  basePath: Array<string | number>,
): TektonValidationIssue[] {
  const issues: TektonValidationIssue[] = [];
  declared.forEach((spec, index) => {
    if (spec.default === undefined || !spec.type) return;
    if (!isParamValueCompatible(spec.type, spec.default)) {
      issues.push({
        code: 'param-type-mismatch',
        path: [...basePath, index, 'default'],
        message: `param "${spec.name}" is declared as ${spec.type} but its default is a ${valueShape(spec.default)}`,
      });
    }
  });
  return issues;
}
