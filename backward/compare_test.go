package backward_test

import (
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
)

func TestCompareJSON(t *testing.T) {
	a := annotateSrc(t, "name: v\ninputs:\n  W: [[1, 2], [3, 4]]\n  x: [1, -1]\nnodes:\n  z: matmul(W, x)\n  L: sum(z)\n")
	want := backward.JSON(a)
	tol := backward.Tolerance{Rtol: 1e-9, Atol: 1e-12}
	if diffs, err := backward.CompareJSON(want, want, tol); err != nil || len(diffs) != 0 {
		t.Fatalf("identical documents: %v %v", diffs, err)
	}
	got := strings.Replace(string(want), `"value": [[1, 2], [3, 4]]`, `"value": [[1, 2], [3, 4.5]]`, 1)
	got = strings.Replace(got, `"name": "L"`, `"name": "loss"`, 1)
	got = strings.Replace(got, `"title": "",`, `"title": "",`+"\n  \"extra\": 1,", 1)
	diffs, err := backward.CompareJSON(want, []byte(got), tol)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, d := range diffs {
		lines = append(lines, d.String())
	}
	wantLines := []string{
		`node "W" value[1][1]: want 4, got 4.5 (relative error 0.12)`,
		`node "L" name: want "L", got "loss"`,
		`document extra: want (absent), got 1`,
	}
	if strings.Join(lines, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(wantLines, "\n"))
	}
	// Within the tolerance, a small change is accepted.
	near := strings.Replace(string(want), `"value": [[1, 2], [3, 4]]`, `"value": [[1, 2], [3, 4.0000000000001]]`, 1)
	if diffs, _ := backward.CompareJSON(want, []byte(near), tol); len(diffs) != 0 {
		t.Errorf("a change within rtol was reported: %v", diffs)
	}
	if _, err := backward.CompareJSON([]byte("{"), want, tol); err == nil {
		t.Error("a broken golden file must be an error")
	}
}
