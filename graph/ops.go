package graph

import (
	"fmt"
	"sort"
	"strings"
)

// Op is one operation. Everything chainviz knows about an op sits on its
// definition: arity, shape rule, forward function and derivative rule side
// by side, and what the later stages (explain, warnings, the gradient
// check) need to say about it. backward, explain and render ask the op;
// none of them switches on its name.
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
	// input names (ins) and the node's own name (out). Either Local or
	// LocalOf must be set; read it through Node.LocalExpr.
	Local func(ins []string, out string, arg int) string
	// LocalOf, when set, is used instead of Local by ops whose formula
	// depends on the node's shapes (cross_entropy's batch size, say); see
	// Node.LocalExpr.
	LocalOf func(n *Node, arg int) string
	// Formula returns the forward formula of the node n in terms of the
	// input names ins (which may be values instead), as in "a + b"; n gives
	// the keyword argument (n.Attr), as in "sum(X, axis=0)", and the shapes,
	// so that an elementwise product of tensors is written a ⊙ b.
	Formula func(n *Node, ins []string) string

	// Func is the function name Formula and Local write for this op, such
	// as "ln" for log or "ReLU" for relu; "" when they use symbols only.
	Func string
	// TeX is Func in LaTeX, such as \ln or \operatorname{softmax}.
	TeX string
	// Delta, when set, returns the backward step δ_input = … of input arg
	// in matrix form, as a template: {δ} stands for the upstream δ (the
	// node's), {out} for the node's name, {0}, {1}, … for the inputs'
	// names, and a ᵀ right after a
	// placeholder transposes it. It returns "" where the generic form
	// applies: δ ⊙ local for elementwise ops, δ · local into a scalar, and
	// J_xᵀ·δ for any other op.
	Delta func(n *Node, arg int) string
	// Jacobian, when set, returns the local derivative as explain's chain
	// of factors writes it, in one layout: ∂out/∂input as the
	// [size(out), size(input)] matrix, such as W for z = W·x (Local, which
	// the annotated JSON keeps, writes Wᵀ, the factor of the backward step
	// δ_x = Wᵀ·δ_z), or, with respect to a matrix, its entries, such as
	// ∂z_i/∂W_ij = x_j. It is a template with Delta's placeholders ({out}
	// is the factor's numerator); "" means Local.
	Jacobian func(n *Node, arg int) string
	// DeltaShapes, when set, describes the matrix product of the δ form of
	// input arg with its operands' shapes, such as "[2,3]ᵀ·[2] → [3]".
	DeltaShapes func(n *Node, arg int) string
	// Second returns ∂²n/∂input[arg]² as a formula in x (the input's name,
	// parenthesised when needed), or "" when it is not a simple formula.
	// Only a scalar op applied once to the input asks.
	Second func(n *Node, arg int, x string) string
	// Pieces, for an op defined piecewise (relu's x > 0, abs's sign), appends
	// to dst the piece each element of the inputs falls in, and returns it.
	// The gradient check flags a finite difference as unreliable when the
	// pattern changes between its two evaluations (it straddles a kink).
	Pieces func(in []*Tensor, attr []int, dst []int) []int
	// Kink returns a warning sentence when n is evaluated exactly where it
	// is not differentiable (relu at 0, abs at 0, a tie of max), saying
	// which derivative is used there, or "".
	Kink func(n *Node) string
	// Check, when set, validates what the shape rule cannot see (class
	// indices, say, and that a leaf holding them has no gradient) before
	// Forward runs on the values in; its error is reported at the node n.
	Check func(n *Node, in []*Tensor) error
	// Saturation, for an op whose derivative vanishes far from the origin
	// (sigmoid, tanh), returns the local derivative as a function of the
	// output value; warnings report an element where it is below
	// SaturationLimit.
	Saturation func(y float64) float64
	// Keyword is the op's keyword argument, such as sum's axis; its value
	// is the node's Attr. Nil means the op takes none.
	Keyword *Keyword
	// Loss marks the loss ops, drawn with the output's style and named as
	// a loss in the legend.
	Loss bool
}

// OpTable is a set of ops by canonical name. The built-in ops form one
// (Builtin); a caller may build its own, with extra ops, and load specs
// against it. It is built by a function, not filled in an init.
type OpTable struct {
	ops map[string]*Op
}

// NewOpTable returns a table holding ops. It panics on a duplicate name,
// which is a programming error.
func NewOpTable(ops ...*Op) *OpTable {
	t := &OpTable{ops: make(map[string]*Op, len(ops))}
	for _, op := range ops {
		if err := t.Add(op); err != nil {
			panic(err)
		}
	}
	return t
}

// Add puts op in t; a name already taken is an error.
func (t *OpTable) Add(op *Op) error {
	if op.Name == "" || op.Name != strings.ToLower(op.Name) {
		return fmt.Errorf("op name %q must be non-empty and lower-case", op.Name)
	}
	if t.ops[op.Name] != nil {
		return fmt.Errorf("op %q is already defined", op.Name)
	}
	t.ops[op.Name] = op
	return nil
}

// Lookup returns the spec op with the given name, case-insensitively, or
// nil. Internal ops are not returned.
func (t *OpTable) Lookup(name string) *Op {
	op := t.ops[strings.ToLower(name)]
	if op == nil || op.Internal {
		return nil
	}
	return op
}

// Get returns any op, internal ones included, by canonical name.
func (t *OpTable) Get(name string) *Op { return t.ops[name] }

// Names returns the names of the ops a spec may use, sorted.
func (t *OpTable) Names() []string {
	var names []string
	for name, op := range t.ops {
		if !op.Internal {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// All returns every op, internal ones included, sorted by name.
func (t *OpTable) All() []*Op {
	out := make([]*Op, 0, len(t.ops))
	for _, op := range t.ops {
		out = append(out, op)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// BuiltinOps returns the built-in ops. This list is the one place that
// names every op; a new op is added here.
func BuiltinOps() []*Op {
	return []*Op{
		opAdd, opSub, opMul, opDiv, opNeg, opPow, opSquare,
		opExp, opLog, opLog0, opRecip0, opSin, opCos, opTanh, opSigmoid, opRelu, opStep,
		opMatMul, opOuter, opTranspose, opSum, opMean, opSumTo, opBroadcastTo,
		opSquaredError, opMSE,
		// ops_piecewise.go
		opAbs, opSqrt, opMaximum, opMinimum, opClip, opSign, opGe, opGt, opTie,
		// ops_reduce.go, ops_shape.go
		opMax, opArgmaxMask, opVar, opReshape, opFlatten, opOnehot,
		// ops_softmax.go
		opSoftmax, opLogSoftmax, opLogSumExp,
		// ops_loss.go
		opCrossEntropy, opNLL, opBCE, opBCEWithLogits, opHuber,
	}
}

// builtin is the table of the built-in ops. Derivative rules look ops up
// through their Builder's table, never through this variable, so that the
// ops' definitions do not depend on it (which would be an initialization
// cycle).
var builtin = NewOpTable(BuiltinOps()...)

// Builtin returns the table of the built-in ops. It is shared: add ops to
// a table of your own (NewOpTable(BuiltinOps()...)), not to this one.
func Builtin() *OpTable { return builtin }

// LookupOp returns the built-in spec op with the given name,
// case-insensitively, or nil. Internal ops are not returned.
func LookupOp(name string) *Op { return builtin.Lookup(name) }

// OpByName returns any built-in op, internal ones included, by canonical
// name.
func OpByName(name string) *Op { return builtin.Get(name) }

// OpNames returns the names of the built-in ops a spec may use, sorted.
func OpNames() []string { return builtin.Names() }

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
				return b.Of(nil)
			}
			return b.Of(b.Mul(g, dd))
		},
		Local: func(ins []string, out string, _ int) string {
			return strings.ReplaceAll(local, "{a}", paren(ins[0]))
		},
		Formula: func(_ *Node, ins []string) string {
			return strings.ReplaceAll(formula, "{a}", ins[0])
		},
	}
}

// The methods below fill in the optional fields of an op built by unary,
// so that a definition reads as one expression.

// fn sets the function name the op's formulas write and its LaTeX.
func (op *Op) fn(name, tex string) *Op {
	op.Func, op.TeX = name, tex
	return op
}

// second sets the second derivative of a unary op; {x} stands for the
// input's name.
func (op *Op) second(formula string) *Op {
	op.Second = func(_ *Node, _ int, x string) string { return strings.ReplaceAll(formula, "{x}", x) }
	return op
}

// saturates sets the op's derivative as a function of its output, for the
// saturation warning.
func (op *Op) saturates(deriv func(y float64) float64) *Op {
	op.Saturation = deriv
	return op
}

// kinkAt0 makes a unary op, written fname(x) in prose, warn when it is
// evaluated at x = 0, where its derivative is taken as deriv.
func (op *Op) kinkAt0(fname, deriv string) *Op {
	op.Kink = func(n *Node) string {
		for _, v := range n.Inputs[0].Value.Data {
			if v == 0 {
				return n.Name + " = " + fname + "(" + n.Inputs[0].DisplayName() + ") is evaluated at 0, where it is not differentiable; its derivative there is taken as " + deriv + " (as PyTorch does)"
			}
		}
		return ""
	}
	return op
}

// pieces sets the piece function of a unary op defined piecewise: piece
// gives the piece of one input element.
func (op *Op) pieces(piece func(x float64) int) *Op {
	op.Pieces = func(in []*Tensor, _ []int, dst []int) []int {
		for _, v := range in[0].Data {
			dst = append(dst, piece(v))
		}
		return dst
	}
	return op
}

// zeroSecond is the second derivative of an op linear in each input.
func zeroSecond(*Node, int, string) string { return "0" }
