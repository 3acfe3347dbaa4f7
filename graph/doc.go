// Package graph reads chainviz specs and owns the computation graph: the
// tensor type, the op table, validation with positioned diagnostics and
// forward evaluation.
//
// # Ops
//
// Everything chainviz knows about an op sits on its definition, an Op
// value: arity, shape rule, forward function, derivative rule (built with a
// Builder, so that the gradient is itself a graph and orders 2–4 come from
// the same rule), local-derivative and forward formulas, the function name
// in TeX, the δ form explain writes, the second derivative in words, kink
// points and saturation. backward, explain and render ask the op; none of
// them switches on its name. The ops are held by an OpTable, built by
// NewOpTable from a list (BuiltinOps), never filled in an init.
//
// # Formulas and blocks
//
// A node written as a string that is not a v1 short form (op(a, b) with
// plain arguments, read by parsenode.go exactly as before) is a formula:
// formula.go parses it into a tree, and lower.go turns every operator and
// call of the tree into a node of its own, named owner.1, owner.2, … in
// evaluation order, with the position of its operator. block.go reads the
// blocks and expands each call into the block's nodes, named after the
// call; the call's name is the block's output node. Formulas with
// sub-expressions and block calls become Graph.Groups, and each node
// records its Group, Owner, Block and Expr for the diagram and the JSON.
//
// # Adding an op
//
//  1. Write its definition in the file of its family (elementwise.go,
//     linalg.go, ops_piecewise.go, ops_reduce.go, ops_shape.go,
//     ops_softmax.go, ops_loss.go): at least Name, arity, Shape, Forward,
//     VJP, Local (or LocalOf) and Formula. Fill in Func and TeX when its
//     formulas write a function name; Keyword for a keyword argument;
//     Delta when its backward step has a matrix form better than the
//     generic one (δ ⊙ local for an elementwise op, δ · local into a
//     scalar, and (∂y/∂x)ᵀ · δ for any other Jacobian); Jacobian when
//     explain's factor differs from Local; Second, Pieces, Kink,
//     Saturation and Check when they apply; Loss for a loss.
//  2. Add it to the list in BuiltinOps.
//  3. Add its tests: hand values (ops_new_test.go) and a finite-difference
//     case in every shape form (newOpCases; TestEveryOpHasATest fails for
//     an op without one), and a case in backward's newOpSpecCases, which
//     runs the whole-graph checks of orders 1 and 2 and the differential
//     test against PyTorch (whose counterpart of the op goes in
//     backward/testdata/torch_ops.py).
//  4. Regenerate the schema (chainviz schema > specs/chainviz.schema.json)
//     and add a row to README's op table.
//
// A program can also extend a table of its own without touching this
// package: NewOpTable(BuiltinOps()...), Add, then LoadWithOps.
package graph
