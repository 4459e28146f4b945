/**
 * Which plain scalars some YAML reader would not read back as strings. `updateYaml` quotes every string one of
 * these matches, so the value it writes is a string for every reader a values file meets: YAML 1.2 (core and JSON
 * schemas: the `yaml` package, go-yaml v3), YAML 1.1 (the yaml.org/type definitions as PyYAML, SnakeYAML and
 * js-yaml implement them), go-yaml v2 behind sigs.k8s.io/yaml (Helm, kubectl, Argo CD), and Ruby's Psych (digits
 * grouped with commas), plus the `yaml` package's own 1.1 schema. The patterns are deliberately a superset: quoting
 * a string that did not need it is harmless.
 *
 * One knowing exception: the 1.1 float definition allows dots in the fraction (`[0-9.]*`), which would make
 * version strings like `1.2.3` floats; no implementation does that (PyYAML, SnakeYAML, js-yaml and go-yaml read
 * `1.2.3` as a string, and the PyYAML interop test checks it), so such strings stay plain.
 */

// YAML 1.1, https://yaml.org/type/ (bool, null, int, float, merge, value, yaml, timestamp).
const YAML_11_BOOL =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const YAML_11_NULL = /^(?:~|null|Null|NULL)$/;
const YAML_11_INT =
  /^(?:[-+]?0b[01_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
// PyYAML's float plus js-yaml's (exponent without a dot) and sexagesimal floats; `.` alone included (harmless).
const YAML_11_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
// The `yaml` package's 1.1 schema reads an exponent without digits before it as a float (`e5`, `.e5` → NaN).
const YAML_11_EXPONENT_FLOAT = /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/;
// `<<` merge, `=` value, `!`/`&`/`*` the yaml type (PyYAML has resolvers for all of them).
const YAML_11_SPECIAL = /^(?:<<|=|!|&|\*)$/;
// A date, or a date followed by a time (PyYAML's and go-yaml's timestamp forms all start so).
const TIMESTAMP_START = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:$|[Tt \t])/;

// YAML 1.2 core schema (the JSON schema is a subset).
const YAML_12_INT = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const YAML_12_FLOAT =
  /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

// go-yaml (resolve.go): a plain scalar starting with a digit or sign is tried with strconv.ParseInt(s, 0) and
// strconv.ParseFloat(s) after removing every `_`; one starting with `.` with ParseFloat. Base 0 takes 0b/0o/0x
// and leading-zero octal; ParseFloat takes exponents, hex floats and a signed inf/infinity in any case.
const GO_INT = /^[-+]?(?:0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|[0-9]+)$/;
const GO_FLOAT =
  /^[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|0[xX](?:[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?|\.[0-9a-fA-F]+)[pP][-+]?[0-9]+|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)$/;

/** Whether some YAML 1.1 or 1.2 reader resolves the plain scalar `text` to something other than that string. */
export function plainScalarIsNotString(text: string): boolean {
  if (text === '') return true;
  if (YAML_11_BOOL.test(text) || YAML_11_NULL.test(text) || YAML_11_SPECIAL.test(text)) return true;
  if (YAML_11_EXPONENT_FLOAT.test(text)) return true;
  const first = text.charCodeAt(0);
  const numberLike = (first >= 48 && first <= 57) || first === 43 || first === 45 || first === 46; // 0-9 + - .
  if (!numberLike) return false;
  if (YAML_11_INT.test(text) || YAML_11_FLOAT.test(text) || TIMESTAMP_START.test(text)) return true;
  if (YAML_12_INT.test(text) || YAML_12_FLOAT.test(text)) return true;
  // go-yaml drops `_`; Psych also reads digits grouped with `,` as a number.
  const ungrouped = text.replace(/[_,]/g, '');
  return (
    GO_INT.test(ungrouped) ||
    GO_FLOAT.test(ungrouped) ||
    YAML_12_INT.test(ungrouped) ||
    YAML_12_FLOAT.test(ungrouped)
  );
}
