// Package specgen writes random and layered specs for the tests and
// benchmarks of backward and explain.
package specgen

import (
	"fmt"
	"math/rand"
	"strings"
)

// RandomScalar writes a random scalar DAG of n op nodes over k leaves.
func RandomScalar(r *rand.Rand, k, n int) string {
	var b strings.Builder
	b.WriteString("name: random\ninputs:\n")
	names := []string{}
	for i := 0; i < k; i++ {
		fmt.Fprintf(&b, "  x%d: %g\n", i, 0.5+r.Float64()*1.5)
		names = append(names, fmt.Sprintf("x%d", i))
	}
	b.WriteString("params:\n  w: 0.75\n")
	names = append(names, "w")
	b.WriteString("nodes:\n")
	unary := []string{"neg", "sin", "cos", "tanh", "sigmoid", "square", "relu", "exp", "log"}
	binary := []string{"add", "sub", "mul", "div", "pow", "squared_error", "mse"}
	pick := func() string {
		// Prefer recent nodes so the graph is deep as well as wide.
		if len(names) > 3 && r.Intn(3) > 0 {
			return names[len(names)-1-r.Intn(3)]
		}
		return names[r.Intn(len(names))]
	}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("n%d", i)
		switch r.Intn(4) {
		case 0:
			op := unary[r.Intn(len(unary))]
			a := pick()
			if op == "log" || op == "exp" {
				// Keep the argument in a safe range: log(1 + a²), exp(tanh a).
				fmt.Fprintf(&b, "  %s_s: square(%s)\n  %s_p: add(%s_s, 1)\n", name, a, name, name)
				if op == "exp" {
					fmt.Fprintf(&b, "  %s_p2: tanh(%s)\n  %s: exp(%s_p2)\n", name, a, name, name)
				} else {
					fmt.Fprintf(&b, "  %s: log(%s_p)\n", name, name)
				}
			} else {
				fmt.Fprintf(&b, "  %s: %s(%s)\n", name, op, a)
			}
		case 1:
			fmt.Fprintf(&b, "  %s: add(%s, %s, %s)\n", name, pick(), pick(), pick())
		default:
			op := binary[r.Intn(len(binary))]
			a, c := pick(), pick()
			switch op {
			case "div":
				fmt.Fprintf(&b, "  %s_d: square(%s)\n  %s_e: add(%s_d, 1)\n  %s: div(%s, %s_e)\n", name, c, name, name, name, a, name)
			case "pow":
				fmt.Fprintf(&b, "  %s_d: square(%s)\n  %s_e: add(%s_d, 0.5)\n  %s_q: tanh(%s)\n  %s: pow(%s_e, %s_q)\n", name, a, name, name, name, c, name, name, name)
			default:
				fmt.Fprintf(&b, "  %s: %s(%s, %s)\n", name, op, a, c)
			}
		}
		// Squash every few nodes so values stay moderate.
		if r.Intn(3) == 0 {
			fmt.Fprintf(&b, "  %s_t: tanh(%s)\n", name, name)
			name += "_t"
		}
		names = append(names, name)
	}
	fmt.Fprintf(&b, "  out: add(%s, %s)\noutput: out\n", names[len(names)-1], names[len(names)-2])
	return b.String()
}

// RandomTensor writes a random graph over vectors and matrices ending in
// a scalar, exercising broadcasting, matmul in all forms and reductions.
func RandomTensor(r *rand.Rand, n int) string {
	m, k := 2, 3
	val := func(shape ...int) string {
		if len(shape) == 0 {
			return fmt.Sprintf("%.3f", r.Float64()*2-1)
		}
		row := func(c int) string {
			parts := make([]string, c)
			for i := range parts {
				parts[i] = fmt.Sprintf("%.3f", r.Float64()*2-1)
			}
			return "[" + strings.Join(parts, ", ") + "]"
		}
		if len(shape) == 1 {
			return row(shape[0])
		}
		rows := make([]string, shape[0])
		for i := range rows {
			rows[i] = row(shape[1])
		}
		return "[" + strings.Join(rows, ", ") + "]"
	}
	type v struct {
		name  string
		shape string // "s", "k", "m", "mk", "km", "kk"
	}
	var b strings.Builder
	b.WriteString("name: random_tensor\ninputs:\n")
	pool := []v{{"s0", "s"}, {"u0", "k"}, {"p0", "m"}, {"A0", "mk"}, {"B0", "km"}, {"C0", "kk"}}
	fmt.Fprintf(&b, "  s0: %s\n  u0: %s\n  p0: %s\n  A0: %s\n  B0: %s\n  C0: %s\n",
		val(), val(k), val(m), val(m, k), val(k, m), val(k, k))
	// Class indices of the m rows, for cross_entropy.
	fmt.Fprintf(&b, "  cls: {value: [%d, %d], grad: false}\n", r.Intn(k), r.Intn(k))
	fmt.Fprintf(&b, "params:\n  bias: %s\n", val(k))
	pool = append(pool, v{"bias", "k"})
	b.WriteString("nodes:\n")
	of := func(shape string) v {
		var c []v
		for _, x := range pool {
			if x.shape == shape {
				c = append(c, x)
			}
		}
		return c[len(c)-1-r.Intn(min(len(c), 3))]
	}
	any := func() v { return pool[len(pool)-1-r.Intn(min(len(pool), 5))] }
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("t%d", i)
		var out v
		switch r.Intn(15) {
		case 0:
			fmt.Fprintf(&b, "  %s: matmul(%s, %s)\n", name, of("mk").name, of("k").name)
			out = v{name, "m"}
		case 1:
			fmt.Fprintf(&b, "  %s: matmul(%s, %s)\n", name, of("k").name, of("kk").name)
			out = v{name, "k"}
		case 2:
			fmt.Fprintf(&b, "  %s: matmul(%s, %s)\n", name, of("mk").name, of("km").name)
			out = v{name, "mm"}
		case 3:
			fmt.Fprintf(&b, "  %s: matmul(%s, %s)\n", name, of("k").name, of("k").name)
			out = v{name, "s"}
		case 4:
			fmt.Fprintf(&b, "  %s: add(%s, %s)\n", name, of("mk").name, of("k").name) // [m,k] + [k]
			out = v{name, "mk"}
		case 5:
			x := any()
			fmt.Fprintf(&b, "  %s: mul(%s, %s)\n", name, x.name, of("s").name)
			out = v{name, x.shape}
		case 6:
			x := any()
			op := []string{"tanh", "sigmoid", "sin", "neg"}[r.Intn(4)]
			fmt.Fprintf(&b, "  %s: %s(%s)\n", name, op, x.name)
			out = v{name, x.shape}
		case 7:
			fmt.Fprintf(&b, "  %s: transpose(%s)\n", name, of("mk").name)
			out = v{name, "km"}
		case 8:
			x := any()
			op := []string{"softmax", "log_softmax", "abs", "tanh"}[r.Intn(4)]
			if x.shape == "s" {
				op = "abs"
			}
			fmt.Fprintf(&b, "  %s: %s(%s)\n", name, op, x.name)
			out = v{name, x.shape}
		case 9:
			// The axis reductions of a matrix: axis 0 gives [k], axis 1 [m].
			op := []string{"sum", "mean", "max", "var"}[r.Intn(4)]
			axis := r.Intn(2)
			fmt.Fprintf(&b, "  %s: %s(%s, axis=%d)\n", name, op, of("mk").name, axis)
			out = v{name, [2]string{"k", "m"}[axis]}
		case 10:
			fmt.Fprintf(&b, "  %s: logsumexp(%s)\n", name, of("mk").name)
			out = v{name, "m"}
		case 11:
			x := of("k")
			op := []string{"maximum", "minimum"}[r.Intn(2)]
			fmt.Fprintf(&b, "  %s: %s(%s, %s)\n", name, op, x.name, of("k").name)
			out = v{name, "k"}
		case 12:
			fmt.Fprintf(&b, "  %s_q: square(%s)\n  %s_r: add(%s_q, 0.5)\n  %s: sqrt(%s_r)\n", name, of("k").name, name, name, name, name)
			out = v{name, "k"}
		case 13:
			fmt.Fprintf(&b, "  %s: reshape(%s, shape=[%d, %d])\n", name, of("mk").name, k, m)
			out = v{name, "km"}
		default:
			x := any()
			op := []string{"sum", "mean", "max", "var"}[r.Intn(4)]
			fmt.Fprintf(&b, "  %s: %s(%s)\n", name, op, x.name)
			out = v{name, "s"}
		}
		pool = append(pool, out)
	}
	fmt.Fprintf(&b, "  l1: squared_error(%s, %s)\n  l2: mse(%s, %s)\n  l3: sum(%s)\n", of("mk").name, of("mk").name, of("m").name, of("s").name, any().name)
	fmt.Fprintf(&b, "  l4: cross_entropy(%s, cls)\n  l5: huber(%s, %s, 0.5)\n  l6: bce_with_logits(%s, %s)\n", of("mk").name, of("k").name, of("k").name, of("m").name, of("s").name)
	b.WriteString("  out: add(l1, l2, l3, l4, l5, l6)\noutput: out\n")
	return b.String()
}

// Chain writes a scalar chain of n nodes: x → sin → tanh → … → out.
func Chain(n int) string {
	var b strings.Builder
	b.WriteString("name: chain\ninputs:\n  x: 0.5\nparams:\n  w: 0.9\nnodes:\n  n0: mul(w, x)\n")
	ops := []string{"sin", "tanh", "mul(w, %s)", "add(%s, 0.1)"}
	for i := 1; i < n; i++ {
		op := ops[i%len(ops)]
		prev := fmt.Sprintf("n%d", i-1)
		if strings.Contains(op, "%s") {
			fmt.Fprintf(&b, "  n%d: "+op+"\n", i, prev)
		} else {
			fmt.Fprintf(&b, "  n%d: %s(%s)\n", i, op, prev)
		}
	}
	return b.String()
}

// MLP writes an unrolled scalar MLP with about n nodes: layers of width
// 8, each unit a weighted sum of the previous layer through tanh.
func MLP(n int) string {
	const width = 8
	var b strings.Builder
	b.WriteString("name: mlp\ninputs:\n")
	prev := make([]string, width)
	for i := range prev {
		prev[i] = fmt.Sprintf("x%d", i)
		fmt.Fprintf(&b, "  x%d: %g\n", i, float64(i)/8-0.5)
	}
	b.WriteString("params:\n")
	perLayer := width * (2*width + 1)
	layers := max(1, n/perLayer)
	var nodes strings.Builder
	for l := 0; l < layers; l++ {
		cur := make([]string, width)
		for u := 0; u < width; u++ {
			terms := make([]string, width)
			for i := 0; i < width; i++ {
				w := fmt.Sprintf("w%d_%d_%d", l, u, i)
				fmt.Fprintf(&b, "  %s: %g\n", w, float64((l+u+i)%7)/10-0.3)
				terms[i] = fmt.Sprintf("m%d_%d_%d", l, u, i)
				fmt.Fprintf(&nodes, "  %s: mul(%s, %s)\n", terms[i], w, prev[i])
			}
			s := fmt.Sprintf("s%d_%d", l, u)
			fmt.Fprintf(&nodes, "  %s: add(%s)\n", s, strings.Join(terms, ", "))
			cur[u] = fmt.Sprintf("h%d_%d", l, u)
			fmt.Fprintf(&nodes, "  %s: tanh(%s)\n", cur[u], s)
		}
		prev = cur
	}
	b.WriteString("nodes:\n")
	b.WriteString(nodes.String())
	fmt.Fprintf(&b, "  out: add(%s)\noutput: out\n", strings.Join(prev, ", "))
	return b.String()
}

// TensorMLP writes a batch MLP on matrices: X[batch,in] through layers
// of matmul, bias broadcast and tanh, to an mse loss.
func TensorMLP(layers, width, batch int) string {
	mat := func(r, c int, scale float64) string {
		rows := make([]string, r)
		for i := range rows {
			parts := make([]string, c)
			for j := range parts {
				parts[j] = fmt.Sprintf("%g", scale*float64((i*c+j)%11-5)/5)
			}
			rows[i] = "[" + strings.Join(parts, ", ") + "]"
		}
		return "[" + strings.Join(rows, ", ") + "]"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "name: tensor_mlp\ninputs:\n  X: %s\n  Y: {value: %s, grad: false}\nparams:\n", mat(batch, width, 1), mat(batch, width, 0.5))
	for l := 0; l < layers; l++ {
		fmt.Fprintf(&b, "  W%d: %s\n  b%d: %s\n", l, mat(width, width, 0.3), l, strings.TrimSuffix(strings.TrimPrefix(mat(1, width, 0.1), "["), "]"))
	}
	b.WriteString("nodes:\n")
	prev := "X"
	for l := 0; l < layers; l++ {
		fmt.Fprintf(&b, "  z%d: matmul(%s, W%d)\n  a%d: add(z%d, b%d)\n  h%d: tanh(a%d)\n", l, prev, l, l, l, l, l, l)
		prev = fmt.Sprintf("h%d", l)
	}
	fmt.Fprintf(&b, "  L: mse(%s, Y)\n", prev)
	return b.String()
}
