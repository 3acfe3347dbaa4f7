package graph

import (
	"strconv"
	"strings"
)

// Kind tells what a node is: a leaf given by the spec (input, param or
// constant) or an op node computed from its inputs.
type Kind uint8

// The node kinds, as named in the annotated JSON.
const (
	KindInput Kind = iota
	KindParam
	KindConst
	KindOp
)

// String returns the kind's name as the annotated JSON writes it.
func (k Kind) String() string {
	switch k {
	case KindInput:
		return "input"
	case KindParam:
		return "param"
	case KindConst:
		return "const"
	default:
		return "op"
	}
}

// Pos is a position in a spec file; Line and Col are 1-based.
type Pos struct {
	File string
	Line int
	Col  int
}

// Node is one vertex of a computation graph. Leaves have a nil Op; op nodes
// compute Value from the values of Inputs.
//
// A large graph has hundreds of thousands of nodes, and the backward pass
// builds more, so a Node holds only what every node needs; what a spec says
// of a few nodes (a label, a display text, a group, a formula) is read
// through methods (Label, Display, Group, Owner, Block, Expr).
type Node struct {
	// ID is the node's index in its graph's Nodes, which is a topological
	// order.
	ID int
	// Name is the spec's name for the node; anonymous constants are named
	// #1, #2, … and nodes built by the backward pass are named by it.
	Name string
	Kind Kind
	// NoGrad is true for constants and for leaves declared with grad: false:
	// no gradient is computed for them.
	NoGrad bool
	// Op is nil for leaves.
	Op     *Op
	Inputs []*Node
	// Attr is the value of the node's keyword argument (sum's axis,
	// reshape's shape, …) or the target shape of the internal shape ops
	// (sum_to, broadcast_to); it is nil for every other op.
	Attr  []int
	Shape []int
	Value *Tensor
	// Pos is where the node is declared in the spec (the name's key).
	Pos Pos
	// spec holds the rest of what the spec says of the node, or nil when
	// it says nothing more.
	spec *nodeSpec
}

// nodeSpec is what a spec says of a node beyond its name, op and inputs.
type nodeSpec struct {
	label, display, group, owner, block, expr string
	// keywordPos is where the keyword argument is written, if any.
	keywordPos Pos
}

// noSpec is what info returns for a node without a nodeSpec; it is never
// written.
var noSpec nodeSpec

// info returns what the spec says of n, for reading.
func (n *Node) info() *nodeSpec {
	if n.spec == nil {
		return &noSpec
	}
	return n.spec
}

// specOf returns n's nodeSpec, for writing, making it when n has none.
func (n *Node) specOf() *nodeSpec {
	if n.spec == nil {
		n.spec = &nodeSpec{}
	}
	return n.spec
}

// Label returns the spec's optional display label, or "".
func (n *Node) Label() string { return n.info().label }

// Display returns the spec's optional text shown verbatim instead of the
// name in diagrams and explanations (w2 drawn as w2, not w₂); "" means the
// name, with its digits as subscripts.
func (n *Node) Display() string { return n.info().display }

// Group returns the name of the innermost group the node belongs to (see
// Graph.Groups), or "" when it belongs to none.
func (n *Node) Group() string { return n.info().group }

// Owner returns the node whose formula the node is a sub-expression of (L
// for L.1), or the block call it was expanded for (h1 for h1.z); ""
// otherwise.
func (n *Node) Owner() string { return n.info().owner }

// Block returns the block whose call made the node, or "".
func (n *Node) Block() string { return n.info().block }

// Expr returns the formula text the node computes, as written, for a
// sub-expression node and for the owner of a formula with sub-expressions;
// "" otherwise.
func (n *Node) Expr() string { return n.info().expr }

// keywordPos returns where the node's keyword argument is written, or the
// zero Pos.
func (n *Node) keywordPos() Pos { return n.info().keywordPos }

// LocalExpr returns the formula of ∂n/∂n.Inputs[arg] that the op writes.
func (n *Node) LocalExpr(arg int) string {
	if n.Op.LocalOf != nil {
		return n.Op.LocalOf(n, arg)
	}
	return n.Op.Local(inputNames(n), n.DisplayName(), arg)
}

// IsLeaf reports whether n is an input, param or constant.
func (n *Node) IsLeaf() bool { return n.Op == nil }

// OpName returns the node's op name, or its kind for leaves ("input",
// "param", "const"), as the annotated JSON writes it.
func (n *Node) OpName() string {
	if n.Op == nil {
		return n.Kind.String()
	}
	return n.Op.Name
}

// Graph is a validated computation graph whose nodes are stored in
// topological order, each with its forward value.
type Graph struct {
	Name        string
	Title       string
	Description string
	// Nodes lists every node in topological order: leaves in declaration
	// order (inputs, params, then anonymous constants), then op nodes with
	// ties broken by file order.
	Nodes []*Node
	// Output is the node the gradients are taken of.
	Output *Node
	// Groups lists the graph's groups, each after the group that encloses
	// it, in declaration order. A diagram draws each as a titled frame.
	Groups []*Group
	// Warnings are diagnostics of severity warning found while loading.
	Warnings Diagnostics
	// Work estimates the arithmetic operations of one forward evaluation,
	// from the shapes; WorkLimit is the Limits.MaxWork the graph was
	// loaded under, which whoever evaluates it repeatedly (finite
	// differences, gradient descent) checks before starting.
	Work, WorkLimit int
	// byName holds the leaves and op nodes by name; constants holds the
	// anonymous constants #1, #2, … in order.
	byName    map[string]*Node
	constants []Node
}

// GroupKind says where a group comes from.
type GroupKind int

const (
	// GroupUser is a group the spec declares, with a node's group key or
	// the top-level groups map.
	GroupUser GroupKind = iota
	// GroupFormula holds the sub-expression nodes of one node's formula;
	// its name is the owning node's.
	GroupFormula
	// GroupBlock holds the nodes of one block call; its name is the call
	// site's.
	GroupBlock
)

// Group is a named set of nodes that a diagram draws inside one titled
// frame and that can be collapsed into one box. Groups nest: Parent names
// the enclosing group.
type Group struct {
	// Name is unique among the graph's groups.
	Name string
	// Title is the frame's caption: the group's name, the owner's formula
	// ("L = 0.5 * (z2 - y)^2") or the call ("h1 = dense(x, W1, b1)").
	Title string
	// Parent is the name of the enclosing group, or "" at the top level.
	Parent string
	Kind   GroupKind
	// Block is the block a GroupBlock group is a call of, or "".
	Block string
	// Pos is where the group is declared or the call or formula written.
	Pos Pos
}

// Node returns the node with the given name, or nil.
func (g *Graph) Node(name string) *Node {
	if strings.HasPrefix(name, "#") {
		if k, err := strconv.Atoi(name[1:]); err == nil && k >= 1 && k <= len(g.constants) && g.constants[k-1].Name == name {
			return &g.constants[k-1]
		}
		return nil
	}
	return g.byName[name]
}

// Len returns the number of nodes in g.
func (g *Graph) Len() int { return len(g.Nodes) }

// push appends n to g, giving it the next ID, without adding its name to
// the index (the loader adds names as it defines them).
func (g *Graph) push(n *Node) *Node {
	n.ID = len(g.Nodes)
	g.Nodes = append(g.Nodes, n)
	return n
}
