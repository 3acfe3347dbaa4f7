// Package mlpgen writes scalar multilayer perceptrons as specs, one group
// per layer, for the tests of large drawings (collapse, focus, labels,
// warnings) and for specs/large/mlp_layers.yaml.
package mlpgen

import (
	"fmt"
	"strings"
)

// Spec writes a scalar MLP named name with the given number of inputs and
// layer widths: each unit j of layer l computes z<l>_<j> = Σ_i W<l>_<j>_<i>
// · h<l-1>_<i> + b<l>_<j> with mul nodes added pairwise by add nodes, and
// h<l>_<j> = relu(z<l>_<j>); the last layer has no ReLU, and its first
// unit o is compared with the target y by L = squared_error(o, y). Each
// layer is the group layer<l> (its params too), and y and L are the group
// loss. The weights come from a fixed sequence, so the spec is the same on
// every call; some ReLUs are dead.
func Spec(name string, inputs int, widths []int) string {
	var b, nodes, groups strings.Builder
	// The schema line lets editors check the committed copy in specs/large.
	b.WriteString("# yaml-language-server: $schema=../chainviz.schema.json\n")
	fmt.Fprintf(&b, "name: %s\ntitle: \"A scalar MLP: %d inputs, layers of %s units, ReLU, squared error\"\n", name, inputs, joinInts(widths))
	b.WriteString("inputs:\n")
	prev := make([]string, inputs)
	seq := 0
	next := func() float64 {
		// A fixed, well-spread sequence in [-1, 1), rounded to 2 digits.
		seq++
		v := float64((seq*7919+13)%200)/100 - 1
		return float64(int(v*100)) / 100
	}
	for i := range prev {
		prev[i] = fmt.Sprintf("x%d", i)
		fmt.Fprintf(&b, "  %s: %g\n", prev[i], float64(i%3)+0.5)
	}
	b.WriteString("  y: {value: 1, grad: false}\nparams:\n")
	out := ""
	for l, width := range widths {
		layer := l + 1
		last := l == len(widths)-1
		var members []string
		cur := make([]string, width)
		for j := 0; j < width; j++ {
			var terms []string
			for i, in := range prev {
				w := fmt.Sprintf("W%d_%d_%d", layer, j, i)
				m := fmt.Sprintf("m%d_%d_%d", layer, j, i)
				fmt.Fprintf(&b, "  %s: %g\n", w, next())
				fmt.Fprintf(&nodes, "  %s: mul(%s, %s)\n", m, w, in)
				members = append(members, w, m)
				terms = append(terms, m)
			}
			bias := fmt.Sprintf("b%d_%d", layer, j)
			fmt.Fprintf(&b, "  %s: %g\n", bias, next()/10+0.05)
			members = append(members, bias)
			terms = append(terms, bias)
			// The terms are added pairwise, level by level, and the last
			// sum is z.
			z := fmt.Sprintf("z%d_%d", layer, j)
			for level := 1; len(terms) > 1; level++ {
				var sums []string
				for k := 0; k+1 < len(terms); k += 2 {
					s := fmt.Sprintf("s%d_%d_%d_%d", layer, j, level, k/2)
					if len(terms) == 2 {
						s = z
					}
					fmt.Fprintf(&nodes, "  %s: add(%s, %s)\n", s, terms[k], terms[k+1])
					members = append(members, s)
					sums = append(sums, s)
				}
				if len(terms)%2 == 1 {
					sums = append(sums, terms[len(terms)-1])
				}
				terms = sums
			}
			cur[j] = z
			if !last {
				h := fmt.Sprintf("h%d_%d", layer, j)
				fmt.Fprintf(&nodes, "  %s: relu(%s)\n", h, z)
				members = append(members, h)
				cur[j] = h
			}
		}
		fmt.Fprintf(&groups, "  layer%d: [%s]\n", layer, strings.Join(members, ", "))
		prev = cur
		out = cur[0]
	}
	fmt.Fprintf(&nodes, "  L: squared_error(%s, y)\n", out)
	groups.WriteString("  loss: [y, L]\n")
	b.WriteString("nodes:\n" + nodes.String() + "output: L\ngroups:\n" + groups.String())
	return b.String()
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}
