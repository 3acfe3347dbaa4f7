package backward

// AnnotatedSchemaID is the $id of the annotated JSON's schema, the URL of
// its committed copy.
const AnnotatedSchemaID = "https://raw.githubusercontent.com/chainviz/chainviz/main/specs/annotated.schema.json"

// AnnotatedSchema returns a JSON Schema (draft 2020-12) of the annotated
// JSON that WriteJSON writes, committed as specs/annotated.schema.json and
// described field by field in specs/README.md. Every field WriteJSON can
// write is listed, and no other is allowed: a new field must be added here
// (and documented) before a test accepts it.
func AnnotatedSchema() []byte { return []byte(annotatedSchema) }

const annotatedSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "` + AnnotatedSchemaID + `",
  "title": "chainviz annotated JSON v1",
  "description": "What chainviz annotate (and render --format json) writes: every node's value and gradient and every edge's local derivative, upstream gradient and gradient. See specs/README.md.",
  "type": "object",
  "required": ["format", "name", "title", "output", "nodes", "edges"],
  "additionalProperties": false,
  "properties": {
    "format": {"const": "chainviz.annotated/v1"},
    "name": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
    "title": {"type": "string", "description": "the spec's title, \"\" when it has none"},
    "description": {"type": "string", "description": "the spec's description; absent when it has none"},
    "output": {"type": "string", "description": "the differentiated node"},
    "nodes": {"type": "array", "items": {"$ref": "#/$defs/node"}},
    "edges": {"type": "array", "items": {"$ref": "#/$defs/edge"}},
    "hessian": {
      "description": "with --hessian: the full Hessian over every scalar element of the leaves with a gradient",
      "type": "object",
      "required": ["wrt", "matrix"],
      "additionalProperties": false,
      "properties": {
        "wrt": {"type": "array", "items": {"type": "string"}},
        "matrix": {"$ref": "#/$defs/tensor"}
      }
    },
    "warnings": {
      "description": "present only when there are warnings",
      "type": "array",
      "minItems": 1,
      "items": {"$ref": "#/$defs/warning"}
    }
  },
  "$defs": {
    "tensor": {
      "description": "a number for rank 0, an array for rank 1, an array of equally long arrays for rank 2",
      "oneOf": [
        {"type": "number"},
        {"type": "array", "items": {"type": "number"}},
        {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}
      ]
    },
    "tensorOrNull": {"oneOf": [{"$ref": "#/$defs/tensor"}, {"type": "null"}]},
    "node": {
      "type": "object",
      "required": ["name", "kind", "op", "shape", "value", "grad"],
      "additionalProperties": false,
      "properties": {
        "name": {"type": "string", "description": "the node's name; anonymous constants are #1, #2, …"},
        "kind": {"enum": ["input", "param", "const", "op"]},
        "op": {"type": "string", "description": "the op's name, or input, param, const for leaves"},
        "shape": {"type": "array", "maxItems": 2, "items": {"type": "integer", "minimum": 0}},
        "value": {"$ref": "#/$defs/tensor"},
        "grad": {"$ref": "#/$defs/tensorOrNull", "description": "∂output/∂node; null for grad: false leaves and constants"},
        "updated": {"$ref": "#/$defs/tensor", "description": "with --lr: a param's value after one gradient-descent step"},
        "grad2": {"$ref": "#/$defs/tensor"},
        "grad3": {"$ref": "#/$defs/tensor"},
        "grad4": {"$ref": "#/$defs/tensor"},
        "formula": {"type": "string", "description": "op nodes: the node's formula in terms of its inputs"},
        "kwargs": {
          "type": "object",
          "description": "op nodes with a keyword argument, as written",
          "additionalProperties": {"oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}}]}
        },
        "label": {"type": "string"},
        "owner": {"type": "string", "description": "nodes made by a formula or a block call: the node whose formula or call made it"},
        "block": {"type": "string", "description": "nodes made by a block call: the block's name"},
        "expr": {"type": "string", "description": "nodes of a formula: the text of the sub-expression the node computes (the owner: its whole formula)"},
        "display": {"type": "string", "description": "the spec's display text for the name, when it gives one"}
      }
    },
    "edge": {
      "type": "object",
      "required": ["from", "to", "arg", "local", "local_expr", "upstream", "grad"],
      "additionalProperties": false,
      "properties": {
        "from": {"type": "string"},
        "to": {"type": "string"},
        "arg": {"type": "integer", "minimum": 0},
        "local": {"$ref": "#/$defs/tensorOrNull", "description": "∂to/∂from: a number, or the Jacobian [size(to)][size(from)]; null above 4,096 entries or when not finite"},
        "local_expr": {"type": "string"},
        "upstream": {"$ref": "#/$defs/tensorOrNull", "description": "∂output/∂to"},
        "grad": {"$ref": "#/$defs/tensorOrNull", "description": "what flows back into from; null when from has no gradient"}
      }
    },
    "warning": {
      "type": "object",
      "required": ["line", "col", "message", "code", "severity", "node"],
      "additionalProperties": false,
      "properties": {
        "line": {"type": "integer", "minimum": 0},
        "col": {"type": "integer", "minimum": 0},
        "message": {"type": "string"},
        "code": {"enum": ["unreachable", "non_scalar_output", "kink", "saturated", "zero_gradient", "large_gradient", "other"]},
        "severity": {"const": "warning"},
        "node": {"type": ["string", "null"], "description": "the node the warning is about, null when none"}
      }
    }
  }
}
`
