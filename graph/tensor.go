package graph

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Tensor is a dense float64 value of rank 0 (scalar), 1 (vector) or 2
// (matrix), stored in row-major order. A scalar has an empty Shape and one
// element in Data.
type Tensor struct {
	Shape []int
	Data  []float64
	// one backs Data for scalars, so that a scalar is a single allocation.
	one [1]float64
}

// Scalar returns a rank-0 tensor holding v.
//
// Scalars are the most common values by far (a scalar graph makes several
// per node), so they are handed out from blocks of scalarBlock tensors
// rather than allocated one by one; a block is freed once none of its
// tensors is referenced. The pool gives each goroutine its own block.
func Scalar(v float64) *Tensor {
	b := scalarBlocks.Get().(*scalarBlockT)
	if len(b.free) == 0 {
		b.free = make([]Tensor, scalarBlock)
	}
	t := &b.free[0]
	b.free = b.free[1:]
	scalarBlocks.Put(b)
	t.one[0] = v
	t.Data = t.one[:]
	return t
}

// Scalars returns one scalar tensor per value of vs, all in one
// allocation, for values that are kept together (a block from Scalar stays
// in memory as long as any of its tensors does, temporaries included).
func Scalars(vs []float64) []Tensor {
	ts := make([]Tensor, len(vs))
	for i, v := range vs {
		ts[i].one[0] = v
		ts[i].Data = ts[i].one[:]
	}
	return ts
}

// ScalarArena hands out scalars kept together, such as a backward pass's
// results, from blocks of its own: the temporaries computed next to them
// (which come from Scalar's shared blocks) are then freed on their own,
// not kept in memory by a block they share with a result. The zero value
// is ready to use; an arena is not safe for concurrent use.
type ScalarArena struct {
	free []Tensor
	// next is the size of the next block: blocks start small and double,
	// so that a small graph wastes little.
	next int
}

// New returns a scalar holding v.
func (a *ScalarArena) New(v float64) *Tensor {
	if len(a.free) == 0 {
		a.next = min(max(2*a.next, 16), 4096)
		a.free = make([]Tensor, a.next)
	}
	t := &a.free[0]
	a.free = a.free[1:]
	t.one[0] = v
	t.Data = t.one[:]
	return t
}

// scalarBlock is the number of scalars allocated at once.
const scalarBlock = 64

// scalarBlockT holds the unused rest of a block of scalars.
type scalarBlockT struct{ free []Tensor }

var scalarBlocks = sync.Pool{New: func() any { return new(scalarBlockT) }}

// Zeros returns a tensor of the given shape filled with zeros.
func Zeros(shape []int) *Tensor {
	return &Tensor{Shape: cloneShape(shape), Data: make([]float64, Size(shape))}
}

// Full returns a tensor of the given shape with every element set to v.
func Full(shape []int, v float64) *Tensor {
	t := Zeros(shape)
	for i := range t.Data {
		t.Data[i] = v
	}
	return t
}

// Size returns the number of elements of a tensor with the given shape.
func Size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Rank returns the number of dimensions of t.
func (t *Tensor) Rank() int { return len(t.Shape) }

// Size returns the number of elements of t.
func (t *Tensor) Size() int { return len(t.Data) }

// IsScalar reports whether t has rank 0.
func (t *Tensor) IsScalar() bool { return len(t.Shape) == 0 }

// Item returns the single element of a scalar (or one-element) tensor.
func (t *Tensor) Item() float64 { return t.Data[0] }

// At returns the element at the given indices (none for a scalar).
func (t *Tensor) At(idx ...int) float64 {
	switch len(idx) {
	case 0:
		return t.Data[0]
	case 1:
		return t.Data[idx[0]]
	default:
		return t.Data[idx[0]*t.Shape[1]+idx[1]]
	}
}

// Sum returns the sum of t's elements.
func (t *Tensor) Sum() float64 {
	s := 0.0
	for _, v := range t.Data {
		s += v
	}
	return s
}

// Clone returns a deep copy of t.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Shape: cloneShape(t.Shape), Data: append([]float64(nil), t.Data...)}
}

// Finite reports whether every element of t is neither NaN nor infinite.
func (t *Tensor) Finite() bool {
	for _, v := range t.Data {
		if v-v != 0 { // NaN and ±Inf give NaN here.
			return false
		}
	}
	return true
}

// String formats t in the nested-list notation of the spec format, with
// numbers in shortest round-trip form.
func (t *Tensor) String() string {
	var b strings.Builder
	t.write(&b, FormatNumber)
	return b.String()
}

// Format writes t as nested lists with each element formatted by num.
func (t *Tensor) Format(num func(float64) string) string {
	var b strings.Builder
	t.write(&b, num)
	return b.String()
}

func (t *Tensor) write(b *strings.Builder, num func(float64) string) {
	switch len(t.Shape) {
	case 0:
		b.WriteString(num(t.Data[0]))
	case 1:
		writeRow(b, t.Data, num)
	default:
		b.WriteByte('[')
		for i := 0; i < t.Shape[0]; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRow(b, t.Data[i*t.Shape[1]:(i+1)*t.Shape[1]], num)
		}
		b.WriteByte(']')
	}
}

func writeRow(b *strings.Builder, row []float64, num func(float64) string) {
	b.WriteByte('[')
	for i, v := range row {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(num(v))
	}
	b.WriteByte(']')
}

// FormatNumber formats v in the shortest form that round-trips a float64,
// as JSON allows it: integers without a decimal point, very large or small
// magnitudes with an exponent, and negative zero as 0.
func FormatNumber(v float64) string {
	if v == 0 {
		return "0"
	}
	abs := v
	if abs < 0 {
		abs = -abs
	}
	if abs < 1e-6 || abs >= 1e21 {
		s := strconv.FormatFloat(v, 'e', -1, 64)
		// Go writes e-07; JSON readers accept it, but e-7 reads better.
		if i := strings.IndexByte(s, 'e'); i >= 0 {
			mant, exp := s[:i], s[i+1:]
			sign := ""
			if exp[0] == '-' || exp[0] == '+' {
				if exp[0] == '-' {
					sign = "-"
				}
				exp = exp[1:]
			}
			exp = strings.TrimLeft(exp, "0")
			s = mant + "e" + sign + exp
		}
		return s
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// AppendNumber appends FormatNumber(v) to dst without allocating.
func AppendNumber(dst []byte, v float64) []byte {
	if v == 0 {
		return append(dst, '0')
	}
	abs := v
	if abs < 0 {
		abs = -abs
	}
	if abs >= 1e-6 && abs < 1e21 {
		return strconv.AppendFloat(dst, v, 'f', -1, 64)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, v, 'e', -1, 64)
	// Go writes e-07 or e+21; e-7 and e21 read better.
	e := start + bytes.IndexByte(dst[start:], 'e')
	i := e + 1
	neg := dst[i] == '-'
	if dst[i] == '-' || dst[i] == '+' {
		i++
	}
	for i < len(dst)-1 && dst[i] == '0' {
		i++
	}
	out := dst[:e+1]
	if neg {
		out = append(out, '-')
	}
	return append(out, dst[i:]...)
}

// AppendTensor appends t as FormatNumber writes it in String: a number for
// rank 0, nested lists otherwise.
func AppendTensor(dst []byte, t *Tensor) []byte {
	row := func(dst []byte, row []float64) []byte {
		dst = append(dst, '[')
		for i, v := range row {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = AppendNumber(dst, v)
		}
		return append(dst, ']')
	}
	switch len(t.Shape) {
	case 0:
		return AppendNumber(dst, t.Data[0])
	case 1:
		return row(dst, t.Data)
	}
	dst = append(dst, '[')
	for i := 0; i < t.Shape[0]; i++ {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = row(dst, t.Data[i*t.Shape[1]:(i+1)*t.Shape[1]])
	}
	return append(dst, ']')
}

// ShapeString formats a shape as [2,3]; a scalar's shape is [].
func ShapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func cloneShape(s []int) []int {
	if len(s) == 0 {
		return nil
	}
	return append([]int(nil), s...)
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// SameShape reports whether two shapes are equal.
func SameShape(a, b []int) bool { return sameShape(a, b) }

// BroadcastShapes returns the NumPy broadcast of shapes a and b, or an error
// naming both when they are incompatible.
func BroadcastShapes(a, b []int) ([]int, error) {
	n := len(a)
	if len(b) > n {
		n = len(b)
	}
	out := make([]int, n)
	for i := 1; i <= n; i++ {
		da, db := 1, 1
		if i <= len(a) {
			da = a[len(a)-i]
		}
		if i <= len(b) {
			db = b[len(b)-i]
		}
		switch {
		case da == db || db == 1:
			out[n-i] = da
		case da == 1:
			out[n-i] = db
		default:
			return nil, fmt.Errorf("shapes %s and %s cannot be broadcast", ShapeString(a), ShapeString(b))
		}
	}
	return cloneShape(out), nil
}

// BroadcastIndex maps a flat index of a tensor of shape out to the flat
// index of the element of a tensor of shape in (which broadcasts to out)
// that it reads.
func BroadcastIndex(flat int, out, in []int) int { return broadcastIndex(flat, out, in) }

// broadcastIndex maps a flat index of a tensor of shape out to the flat index
// of the element of a tensor of shape in (which broadcasts to out) it reads.
func broadcastIndex(flat int, out, in []int) int {
	idx, stride := 0, 1
	for i := 1; i <= len(out); i++ {
		d := out[len(out)-i]
		c := flat % d
		flat /= d
		if i <= len(in) {
			din := in[len(in)-i]
			if din != 1 {
				idx += c * stride
			}
			stride *= din
		}
	}
	return idx
}

// BroadcastTo returns t expanded to shape, which t must broadcast to.
func BroadcastTo(t *Tensor, shape []int) *Tensor {
	if sameShape(t.Shape, shape) {
		return t
	}
	out := Zeros(shape)
	if len(t.Data) == 1 {
		for i := range out.Data {
			out.Data[i] = t.Data[0]
		}
		return out
	}
	for i := range out.Data {
		out.Data[i] = t.Data[broadcastIndex(i, shape, t.Shape)]
	}
	return out
}

// SumTo sums t over the dimensions that were broadcast to reach t's shape
// from shape, so the result has the given shape. It is the adjoint of
// BroadcastTo.
func SumTo(t *Tensor, shape []int) *Tensor {
	if sameShape(t.Shape, shape) {
		return t
	}
	out := Zeros(shape)
	for i, v := range t.Data {
		out.Data[broadcastIndex(i, t.Shape, shape)] += v
	}
	return out
}

// zipWith applies f elementwise to a and b with broadcasting.
func zipWith(a, b *Tensor, f func(x, y float64) float64) *Tensor {
	if len(a.Data) == 1 && len(b.Data) == 1 && len(a.Shape) == 0 && len(b.Shape) == 0 {
		return Scalar(f(a.Data[0], b.Data[0]))
	}
	shape, err := BroadcastShapes(a.Shape, b.Shape)
	if err != nil {
		panic(err) // Shapes are checked before evaluation.
	}
	out := Zeros(shape)
	sameA, sameB := sameShape(a.Shape, shape), sameShape(b.Shape, shape)
	for i := range out.Data {
		ia, ib := i, i
		if !sameA {
			ia = broadcastIndex(i, shape, a.Shape)
		}
		if !sameB {
			ib = broadcastIndex(i, shape, b.Shape)
		}
		out.Data[i] = f(a.Data[ia], b.Data[ib])
	}
	return out
}

// mapT applies f to each element of a.
func mapT(a *Tensor, f func(x float64) float64) *Tensor {
	if len(a.Shape) == 0 {
		return Scalar(f(a.Data[0]))
	}
	out := &Tensor{Shape: a.Shape, Data: make([]float64, len(a.Data))}
	for i, v := range a.Data {
		out.Data[i] = f(v)
	}
	return out
}
