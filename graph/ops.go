package graph

import (
	"fmt"
	"sort"
	"strings"
)

// Op is one operation: its arity, shape rule, forward function and
// derivative rule, defined side by side in one place.
type Op struct {
	// Name is the canonical, lower-case op name.
	Name string
	// MinArgs and MaxArgs bound the number of inputs; MaxArgs < 0 means
	// any number from MinArgs up.
	MinArgs, MaxArgs int
	// Internal ops are used by derivative rules and cannot be written in a
	// spec.
	Internal bool
	// Elementwise ops compute each output element from the elements of
	// their (broadcast) inputs at the same position, so their Jacobians are
	// diagonal up to broadcasting.
	Elementwise bool
	// Shape returns the output shape for the given input shapes, or an error
	// that names the shapes (the caller prefixes the op name).
	Shape func(in [][]int, attr []int) ([]int, error)
	// Work optionally estimates the arithmetic operations of one forward
	// evaluation from the input and output shapes; nil means one per
	// element of the output or of the inputs, whichever is more.
	Work func(in [][]int, out []int) int
	// Forward computes the output value. Inputs have shapes Shape accepted.
	Forward func(in []*Tensor, attr []int) *Tensor
	// VJP returns, for each input, the gradient contribution g·∂n/∂input as
	// new nodes built with b from n's inputs, n itself and the upstream
	// gradient g (which has n's shape). An entry may have the broadcast
	// output shape; the caller sums it back to the input's shape. A nil
	// entry means zero, and need[i] false means input i needs no gradient.
	VJP func(b *Builder, n, g *Node, need []bool) []*Node
	// Local returns a short formula for ∂n/∂input[arg] in terms of the
	// input names (ins) and the node's own name (out).
	Local func(ins []string, out string, arg int) string
	// Formula returns the forward formula in terms of the input names, as
	// in "a + b".
	Formula func(ins []string) string
}

// registry lists every op by canonical name. The list below is the one
// place that names every op. It is filled in init only because derivative
// rules build nodes of other ops, which a package-level map literal would
// turn into an initialization cycle.
var registry = map[string]*Op{}

func init() {
	for _, op := range []*Op{
		opAdd, opSub, opMul, opDiv, opNeg, opPow, opSquare,
		opExp, opLog, opLog0, opRecip0, opSin, opCos, opTanh, opSigmoid, opRelu, opStep,
		opMatMul, opOuter, opTranspose, opSum, opMean, opSumTo, opBroadcastTo,
		opSquaredError, opMSE,
	} {
		registry[op.Name] = op
	}
}

// LookupOp returns the spec op with the given name, case-insensitively, or
// nil. Internal ops are not returned.
func LookupOp(name string) *Op {
	op := registry[strings.ToLower(name)]
	if op == nil || op.Internal {
		return nil
	}
	return op
}

// OpByName returns any op, internal ones included, by canonical name.
func OpByName(name string) *Op { return registry[name] }

// OpNames returns the names of the ops a spec may use, sorted.
func OpNames() []string {
	var names []string
	for name, op := range registry {
		if !op.Internal {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// arityText describes how many inputs op takes, for diagnostics.
func (op *Op) arityText() string {
	switch {
	case op.MaxArgs < 0:
		return fmt.Sprintf("%d or more inputs", op.MinArgs)
	case op.MinArgs == op.MaxArgs && op.MinArgs == 1:
		return "1 input"
	case op.MinArgs == op.MaxArgs:
		return fmt.Sprintf("%d inputs", op.MinArgs)
	default:
		return fmt.Sprintf("%d to %d inputs", op.MinArgs, op.MaxArgs)
	}
}

// elementwiseShape is the shape rule of every broadcasting op.
func elementwiseShape(in [][]int, _ []int) ([]int, error) {
	out := in[0]
	for _, s := range in[1:] {
		b, err := BroadcastShapes(out, s)
		if err != nil {
			return nil, err
		}
		out = b
	}
	return cloneShape(out), nil
}

// sameShapeRule is the shape rule of unary elementwise ops.
func sameShapeRule(in [][]int, _ []int) ([]int, error) { return cloneShape(in[0]), nil }

// scalarRule is the shape rule of reductions.
func scalarRule(in [][]int, _ []int) ([]int, error) { return nil, nil }

// paren wraps an input name in parentheses when it is not a simple name or
// number, so formulas stay unambiguous.
func paren(s string) string {
	for _, r := range s {
		if !(r == '_' || r == '.' || r == '#' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return "(" + s + ")"
		}
	}
	return s
}

// unary builds an elementwise op of one input whose derivative is
// g·d(a, out), with d built from graph nodes. In the local and formula
// templates, {a} stands for the input's name.
func unary(name string, f func(float64) float64, d func(b *Builder, a, out *Node) *Node, local, formula string) *Op {
	return &Op{
		Name: name, MinArgs: 1, MaxArgs: 1, Elementwise: true,
		Shape:   sameShapeRule,
		Forward: func(in []*Tensor, _ []int) *Tensor { return mapT(in[0], f) },
		VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
			dd := d(b, n.Inputs[0], n)
			if dd == nil {
				return []*Node{nil}
			}
			return []*Node{b.Mul(g, dd)}
		},
		Local: func(ins []string, out string, _ int) string {
			return strings.ReplaceAll(local, "{a}", paren(ins[0]))
		},
		Formula: func(ins []string) string {
			return strings.ReplaceAll(formula, "{a}", ins[0])
		},
	}
}
