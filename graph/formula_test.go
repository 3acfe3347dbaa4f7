package graph

import (
	"fmt"
	"strings"
	"testing"
)

// sexpr writes a parsed formula as a fully parenthesised prefix
// expression, so that a test states the tree it expects.
func sexpr(e *expr) string {
	switch e.kind {
	case eName:
		return e.name
	case eNum:
		return FormatNumber(e.num)
	}
	parts := []string{e.name}
	if e.kind == eNeg {
		parts[0] = "neg"
	}
	for _, a := range e.args {
		parts = append(parts, sexpr(a))
	}
	if e.kw != nil {
		parts = append(parts, fmt.Sprintf("%s=%v", e.kw.name, e.kw.value))
	}
	return "(" + strings.Join(parts, " ") + ")"
}

func TestFormulaParse(t *testing.T) {
	cases := []struct{ src, want string }{
		// Precedence as in mathematics.
		{"a + b * c", "(+ a (* b c))"},
		{"a * b + c", "(+ (* a b) c)"},
		{"W @ x + b", "(+ (@ W x) b)"},
		{"a + b @ c", "(+ a (@ b c))"},
		{"a * b ^ 2", "(* a (^ b 2))"},
		{"(a + b) * c", "(* (+ a b) c)"},
		// Associativity: left for + - * / @, right for ^.
		{"a - b - c", "(- (- a b) c)"},
		{"a / b / c", "(/ (/ a b) c)"},
		{"a + b + c", "(+ (+ a b) c)"},
		{"A @ B @ x", "(@ (@ A B) x)"},
		{"a ^ b ^ c", "(^ a (^ b c))"},
		// Unary minus binds looser than ^: -x^2 is -(x^2).
		{"-x^2", "(neg (^ x 2))"},
		{"-x", "(neg x)"},
		{"--x", "(neg (neg x))"},
		{"a - -b", "(- a (neg b))"},
		{"a * -b", "(* a (neg b))"},
		{"x ^ -2", "(^ x -2)"},
		{"-2 * x", "(* -2 x)"},
		{"-2^2", "(neg (^ 2 2))"},
		{"+x", "x"},
		// Literals.
		{"1e-3 * x", "(* 0.001 x)"},
		{".5 * x", "(* 0.5 x)"},
		{"2. * x", "(* 2 x)"},
		{"1.5E+2 + x", "(+ 150 x)"},
		// Whitespace is free.
		{"  a+b*c  ", "(+ a (* b c))"},
		{"a\t*\tb", "(* a b)"},
		// Calls, nested calls and keyword arguments.
		{"relu(W @ x + b)", "(relu (+ (@ W x) b))"},
		{"mean(square(sub(p, y)))", "(mean (square (sub p y)))"},
		{"sum(X, axis=0)", "(sum X axis=[0])"},
		{"reshape(X, shape=[3, 2]) * 2", "(* (reshape X shape=[3 2]) 2)"},
		{"0.5 * (W2 @ h1 + b2 - y)^2", "(* 0.5 (^ (- (+ (@ W2 h1) b2) y) 2))"},
		{"add(a, b, c)", "(add a b c)"},
	}
	for _, c := range cases {
		e, err := parseFormula(c.src)
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		if got := sexpr(e); got != c.want {
			t.Errorf("%q parses as %s, want %s", c.src, got, c.want)
		}
	}
}

// TestFormulaErrors loads malformed formulas and checks every diagnostic,
// with its exact position.
func TestFormulaErrors(t *testing.T) {
	const head = "name: t\ninputs:\n  a: 1\n  b: 2\n  v: [1, 2]\nnodes:\n"
	// The formula starts at line 7, column 6 ("  z: " is 5 columns).
	cases := []struct{ formula, want string }{
		{"a +", `7:9: nodes.z: expected a name, a number, a call or "(", found the end of the formula`},
		{"(a", `7:6: nodes.z: "(" is never closed; expected ")"`},
		{"(a + b", `7:6: nodes.z: "(" is never closed; expected ")"`},
		{"a @@ b", `7:9: nodes.z: expected a name, a number, a call or "(", found "@"`},
		{"relu()", `7:6: relu takes 1 input, found 0`},
		{"add(a,)", `7:12: nodes.z: expected an argument, found ")"`},
		{"add(, a)", `7:10: nodes.z: expected an argument, found ","`},
		{"1 2", `7:8: nodes.z: expected an operator (+ - * / @ ^), found "2"`},
		{"a b", `7:8: nodes.z: expected an operator (+ - * / @ ^), found "b"`},
		{"a + b)", `7:11: nodes.z: expected an operator (+ - * / @ ^), found ")"`},
		{"relux(a) + b", `7:6: unknown op or block "relux"; did you mean "relu"?`},
		{"a + relux(b)", `7:10: unknown op or block "relux"; did you mean "relu"?`},
		{"mean(square(sub(a, c)))", `7:25: undefined name "c" used by z.1`},
		{"a + q * 2", `7:10: undefined name "q" used by z.1`},
		{"a * (b + 2", `7:10: nodes.z: "(" is never closed; expected ")"`},
		{"relu(a", `7:10: nodes.z: "(" of relu is never closed; expected ")"`},
		{"a * * b", `7:10: nodes.z: expected a name, a number, a call or "(", found "*"`},
		{"2x + a", `7:6: nodes.z: expected a number or a name, found "2x"`},
		{"1e999 * a", `7:6: nodes.z: 1e999 is too large for a float64 (values must be finite)`},
		{"a ^", `7:9: nodes.z: expected a name, a number, a call or "(", found the end of the formula`},
		{"a + % b", `7:10: nodes.z: expected a name, a number, a call or "(", found "%"`},
		{"sum(v, axis=0, a)", `7:21: nodes.z: an input after the keyword argument axis; write the inputs first`},
		{"sum(v, axs=0) + a", `7:13: nodes.z.1: sum has no keyword "axs"; did you mean "axis"? (its keyword is axis, as in axis=0)`},
		{"sum(v, axis=x) + a", `7:18: nodes.z.1: keyword axis: expected an integer`},
		{"v @ v @ v + a", `7:12: z.2: matmul: ` + mustShapeErr("matmul", []int{}, []int{2})},
		{"a + v @ a", `7:12: z.1: matmul: ` + mustShapeErr("matmul", []int{2}, []int{})},
		{"neg(a, b) * 2", `7:6: neg takes 1 input, found 2`},
		{".", `7:6: nodes.z: expected a number, found "."`},
		{"a", `7:6: nodes.z: expected an op call like add(a, b) or a formula like a + b, found "a"`},
		{"-3", `7:6: nodes.z: expected an op call like add(a, b) or a mapping {op: …, in: […]}, found -3`},
	}
	for _, c := range cases {
		src := head + "  z: " + c.formula + "\n"
		_, err := Load("f.yaml", []byte(src))
		if err == nil {
			t.Errorf("%q: loaded without error; want %s", c.formula, c.want)
			continue
		}
		if got := err.Error(); got != "f.yaml:"+c.want {
			t.Errorf("%q:\n got %s\nwant f.yaml:%s", c.formula, got, c.want)
		}
	}
	if len(cases) < 20 {
		t.Fatalf("only %d malformed formulas", len(cases))
	}
}

// mustShapeErr returns the message of op's shape rule for the shapes.
func mustShapeErr(op string, shapes ...[]int) string {
	_, err := builtin.Get(op).Shape(shapes, nil)
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// TestFormulaNodes checks the nodes a formula makes: names in evaluation
// order, ops, owners, the formula text and the frame.
func TestFormulaNodes(t *testing.T) {
	src := `name: t
inputs:
  h1: [1, 2]
  y: {value: 3, grad: false}
params:
  W2: [1, -1]
  b2: 0.5
nodes:
  L: 0.5 * (W2 @ h1 + b2 - y)^2
`
	g, err := Load("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ name, op, owner, expr, group string }{
		{"L.1", "matmul", "L", "W2 @ h1", "L"},
		{"L.2", "add", "L", "W2 @ h1 + b2", "L"},
		{"L.3", "sub", "L", "W2 @ h1 + b2 - y", "L"},
		{"L.4", "pow", "L", "(W2 @ h1 + b2 - y)^2", "L"},
		{"L", "mul", "", "0.5 * (W2 @ h1 + b2 - y)^2", "L"},
	}
	var ops []*Node
	for _, n := range g.Nodes {
		if !n.IsLeaf() {
			ops = append(ops, n)
		}
	}
	if len(ops) != len(want) {
		t.Fatalf("%d op nodes, want %d", len(ops), len(want))
	}
	for i, w := range want {
		n := ops[i]
		if n.Name != w.name || n.Op.Name != w.op || n.Owner() != w.owner || n.Expr() != w.expr || n.Group() != w.group {
			t.Errorf("node %d: %s %s owner %q expr %q group %q; want %+v", i, n.Name, n.Op.Name, n.Owner(), n.Expr(), n.Group(), w)
		}
	}
	if len(g.Groups) != 1 || *g.Groups[0] != (Group{Name: "L", Title: "L = 0.5 * (W2 @ h1 + b2 - y)^2", Kind: GroupFormula, Pos: Pos{"t.yaml", 9, 6}}) {
		t.Errorf("groups: %+v", g.Groups)
	}
	// (1 − 2 + 0.5 − 3)² · 0.5 = 3.5² / 2 = 6.125
	if v := g.Output.Value.Item(); v != 6.125 {
		t.Errorf("L = %v, want 6.125", v)
	}
	// Sub-expression positions: the operator.
	if p := g.Node("L.1").Pos; p.Line != 9 || p.Col != 16 {
		t.Errorf("L.1 at %v, want 9:16", p)
	}
	// The short form of v1 makes one node and no frame.
	g, err = Load("t.yaml", []byte("name: t\ninputs: {a: 1, b: 2}\nnodes:\n  z: add(a, b)\n"))
	if err != nil || len(g.Groups) != 0 || g.Node("z").Owner() != "" || g.Node("z").Expr() != "" || g.Len() != 3 {
		t.Errorf("short form: %v, %+v", err, g)
	}
}

// TestFormulaBounds checks that long chains and deep nesting fail fast
// with a message instead of exhausting the stack.
func TestFormulaBounds(t *testing.T) {
	head := "name: t\ninputs: {a: 1}\nnodes:\n  z: "
	for _, c := range []struct{ formula, want string }{
		{strings.Repeat("a + ", 20000) + "a", "the formula chains more than 10000 operations"},
		{strings.Repeat("(", 100) + "a" + strings.Repeat(")", 100), "nested more than 64 levels deep"},
		{strings.Repeat("neg(", 100) + "a" + strings.Repeat(")", 100), "nested more than 64 levels deep"},
		{strings.Repeat("-", 100) + "a", "nested more than 64 levels deep"},
	} {
		_, err := Load("b.yaml", []byte(head+c.formula+"\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.20s…: %v, want %q", c.formula, err, c.want)
		}
	}
	// A long sum within the bounds loads.
	g, err := Load("b.yaml", []byte(head+strings.Repeat("a + ", 999)+"a\n"))
	if err != nil || g.Output.Value.Item() != 1000 {
		t.Errorf("a + a + … (1000 terms): %v", err)
	}
}

// FuzzFormula loads random formulas: the loader gives a graph or
// diagnostics inside the file, never a panic.
func FuzzFormula(f *testing.F) {
	for _, s := range []string{"0.5 * (W @ x + b - y)^2", "-x^2", "mean(square(sub(p, y)))", "sum(X, axis=0) + f(x)", "a @@ b", "relu(", "1e-3*.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, formula string) {
		// One line of printable ASCII, inside double quotes.
		formula = strings.Map(func(r rune) rune {
			if r < ' ' || r > '~' {
				return -1
			}
			return r
		}, formula)
		src := "name: t\ninputs: {x: [1, 2], y: 1, X: [[1, 2]]}\nparams: {W: [[1, 0], [0, 1]], b: 0.5}\n" +
			"blocks:\n  f:\n    args: [a]\n    output: 2 * a\nnodes:\n  z: \"" + strings.NewReplacer(`"`, "", `\`, "").Replace(formula) + "\"\n"
		_, err := Load("f.yaml", []byte(src))
		if err == nil {
			return
		}
		for _, d := range err.(Diagnostics) {
			if strings.Contains(d.Summary, "internal error") {
				t.Fatalf("%q: %v", formula, d)
			}
			if d.Pos.Line < 1 || d.Pos.Line > 11 {
				t.Fatalf("%q: diagnostic outside the file: %v", formula, d)
			}
		}
	})
}
