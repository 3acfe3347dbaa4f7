package graph

// Builder creates op nodes whose values are computed as soon as they are
// created, the way PyTorch records a graph while it evaluates. Derivative
// rules are written against a Builder, so the gradient computation is itself
// a graph of the same ops: it can be drawn, evaluated and differentiated
// again.
//
// The nodes a Builder creates get IDs that continue after base, so that the
// union of a graph and every tape built on it is still numbered in
// topological order.
type Builder struct {
	// Nodes lists the nodes created so far, in creation order.
	Nodes []*Node
	base  int
	// consts shares one node per constant value.
	consts map[float64]*Node
	// ops is the table Call looks ops up in.
	ops *OpTable
	// vals is reused to pass input values to Forward.
	vals []*Tensor
	// Err is the first evaluation that produced a value that is not finite;
	// it names the op and the values of its inputs.
	Err *EvalError
	// nodeSlab and inSlab hand out nodes and input lists in chunks, so
	// that a backward pass of many small nodes allocates per chunk rather
	// than per node. A chunk is never reused: nodes outlive Reset.
	nodeSlab []Node
	inSlab   []*Node
	chunk    int
	// recycle, set by NewScratchBuilder, makes Reset hand out the chunks
	// again: nodeChunks and inChunks hold them, nextNode and nextIn say
	// how many are in use.
	recycle          bool
	nodeChunks       [][]Node
	inChunks         [][]*Node
	nextNode, nextIn int
	// common holds the ops the helpers below use most, looked up in ops
	// on first use (see use).
	common [numCommon]*Op
}

// The ops of common.
const (
	commonAdd = iota
	commonSub
	commonMul
	commonDiv
	commonNeg
	numCommon
)

// commonNames are the names of the ops of common.
var commonNames = [numCommon]string{"add", "sub", "mul", "div", "neg"}

// use returns the common op i, looking it up once: derivative rules call
// these ops for nearly every node of a backward pass. (The rules cannot
// use the package's op variables, whose initializers hold the rules.)
func (b *Builder) use(i int) *Op {
	if b.common[i] == nil {
		b.common[i] = b.ops.Get(commonNames[i])
	}
	return b.common[i]
}

// slabChunk is the most nodes, and inputs, in one chunk. Chunks start at
// 8 and double, so that a Builder that makes a few nodes wastes little.
const slabChunk = 256

// newNode returns a zeroed node from the current chunk.
func (b *Builder) newNode() *Node {
	if len(b.nodeSlab) == 0 {
		b.chunk = min(max(2*b.chunk, 8), slabChunk)
		if !b.recycle {
			b.nodeSlab = make([]Node, b.chunk)
		} else {
			if b.nextNode == len(b.nodeChunks) {
				b.nodeChunks = append(b.nodeChunks, make([]Node, slabChunk))
			}
			b.nodeSlab = b.nodeChunks[b.nextNode]
			b.nextNode++
		}
	}
	n := &b.nodeSlab[0]
	b.nodeSlab = b.nodeSlab[1:]
	return n
}

// inputs copies in into the current chunk, capped so that an append to it
// cannot reach the next node's inputs.
func (b *Builder) inputs(in []*Node) []*Node {
	k := len(in)
	if k > slabChunk/4 {
		return append([]*Node(nil), in...)
	}
	if len(b.inSlab) < k {
		if !b.recycle {
			b.inSlab = make([]*Node, max(2*b.chunk, 2*k))
		} else {
			if b.nextIn == len(b.inChunks) {
				b.inChunks = append(b.inChunks, make([]*Node, 2*slabChunk))
			}
			b.inSlab = b.inChunks[b.nextIn]
			b.nextIn++
		}
	}
	out := b.inSlab[:k:k]
	copy(out, in)
	b.inSlab = b.inSlab[k:]
	return out
}

// NewBuilder returns a Builder whose first node will have ID base. Use the
// number of nodes already in existence (for instance g.Len()) so IDs stay
// unique.
func NewBuilder(base int) *Builder { return &Builder{base: base, ops: builtin} }

// NewScratchBuilder returns a Builder whose Reset also reuses the memory of
// the nodes created so far, for a caller that keeps none of them (it may
// keep their values) past Reset. Computing many small throwaway products,
// such as the per-edge local derivatives, then allocates no nodes.
func NewScratchBuilder(base int) *Builder {
	return &Builder{base: base, ops: builtin, recycle: true}
}

// Reset forgets every node created so far and any error, so a scratch
// Builder can be reused. A Builder from NewScratchBuilder hands out the
// memory of those nodes again.
func (b *Builder) Reset() {
	clear(b.Nodes)
	b.Nodes, b.Err = b.Nodes[:0], nil
	clear(b.consts)
	if b.recycle {
		b.nodeSlab, b.inSlab, b.nextNode, b.nextIn = nil, nil, 0, 0
	}
}

// Next returns the ID the next created node will get.
func (b *Builder) Next() int { return b.base + len(b.Nodes) }

// Const returns a constant scalar node holding v; a Builder creates one node
// per distinct value.
func (b *Builder) Const(v float64) *Node {
	if n := b.consts[v]; n != nil {
		return n
	}
	n := b.newNode()
	*n = Node{ID: b.Next(), Kind: KindConst, Value: Scalar(v), NoGrad: true}
	b.Nodes = append(b.Nodes, n)
	if b.consts == nil {
		b.consts = map[float64]*Node{}
	}
	b.consts[v] = n
	return n
}

// ConstTensor returns a new constant node holding t.
func (b *Builder) ConstTensor(t *Tensor) *Node {
	n := b.newNode()
	*n = Node{ID: b.Next(), Kind: KindConst, Value: t, Shape: t.Shape, NoGrad: true}
	b.Nodes = append(b.Nodes, n)
	return n
}

// Slots returns k nil entries for a derivative rule to fill, one per
// input, from the Builder's memory (see Of).
func (b *Builder) Slots(k int) []*Node {
	if k > len(noNodes) {
		return make([]*Node, k)
	}
	return b.inputs(noNodes[:k])
}

// noNodes is a row of nil entries that Slots copies; it is never written.
var noNodes [slabChunk / 4]*Node

// Of returns the result of a derivative rule, the contribution of each
// input in order, copied into the Builder's memory, so that a backward
// pass of many small nodes allocates no result slices one by one.
func (b *Builder) Of(contribs ...*Node) []*Node { return b.inputs(contribs) }

// Apply creates a node computing op on in (with attr for the internal shape
// ops) and evaluates it. The shapes of in must already be valid for op; the
// derivative rules only combine shapes that the forward graph validated.
func (b *Builder) Apply(op *Op, attr []int, in ...*Node) *Node {
	vals := b.vals[:0]
	noGrad := true
	for _, x := range in {
		vals = append(vals, x.Value)
		if !x.NoGrad {
			noGrad = false
		}
	}
	b.vals = vals
	v := op.Forward(vals, attr)
	n := b.newNode()
	*n = Node{ID: b.Next(), Kind: KindOp, Op: op, Inputs: b.inputs(in), Attr: attr, Shape: v.Shape, Value: v, NoGrad: noGrad}
	if b.Err == nil && !v.Finite() {
		b.Err = &EvalError{Op: op.Name, Inputs: append([]*Tensor(nil), vals...)}
	}
	b.Nodes = append(b.Nodes, n)
	return n
}

// Call applies the built-in op with the given canonical name to in.
// Derivative rules refer to other ops by name, through the Builder's table,
// since a rule that named another op's variable would form an
// initialization cycle.
func (b *Builder) Call(name string, in ...*Node) *Node { return b.Apply(b.ops.Get(name), nil, in...) }

// The helpers below name the ops derivative rules use most, so that a rule
// reads like its formula: b.Mul(g, b.Cos(a)).

// Add returns a + b (broadcasting).
func (b *Builder) Add(x, y *Node) *Node { return b.Apply(b.use(commonAdd), nil, x, y) }

// Sub returns x − y (broadcasting).
func (b *Builder) Sub(x, y *Node) *Node { return b.Apply(b.use(commonSub), nil, x, y) }

// Mul returns x ⊙ y (broadcasting).
func (b *Builder) Mul(x, y *Node) *Node { return b.Apply(b.use(commonMul), nil, x, y) }

// Div returns x / y (broadcasting).
func (b *Builder) Div(x, y *Node) *Node { return b.Apply(b.use(commonDiv), nil, x, y) }

// Neg returns −x.
func (b *Builder) Neg(x *Node) *Node { return b.Apply(b.use(commonNeg), nil, x) }

// Scale returns c·x for a constant c.
func (b *Builder) Scale(c float64, x *Node) *Node { return b.Mul(b.Const(c), x) }

// MatMul returns x·y in any of matmul's shape forms.
func (b *Builder) MatMul(x, y *Node) *Node { return b.Call("matmul", x, y) }

// Outer returns the outer product of two vectors.
func (b *Builder) Outer(x, y *Node) *Node { return b.Call("outer", x, y) }

// T returns the transpose of a matrix.
func (b *Builder) T(x *Node) *Node { return b.Call("transpose", x) }

// SumTo sums x over broadcast dimensions down to shape; it returns x itself
// when x already has that shape.
func (b *Builder) SumTo(x *Node, shape []int) *Node {
	if sameShape(x.Shape, shape) {
		return x
	}
	return b.Apply(b.ops.Get("sum_to"), cloneShape(shape), x)
}

// BroadcastTo expands x to shape; it returns x itself when x already has
// that shape.
func (b *Builder) BroadcastTo(x *Node, shape []int) *Node {
	if sameShape(x.Shape, shape) {
		return x
	}
	return b.Apply(b.ops.Get("broadcast_to"), cloneShape(shape), x)
}
