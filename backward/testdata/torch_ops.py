"""Compute chainviz's op cases with PyTorch, for backward's differential test.

Usage: torch_ops.py IN.json OUT.json

IN.json lists cases written by TestOpsAgainstPyTorch: an op name, its
inputs (shape, values, whether a gradient is wanted, whether they are class
indices), its keyword argument, and weights G of the op's output shape.
For each case this script computes out = op(inputs) and L = sum(G * out),
the gradient of L with respect to every input that wants one, and the
diagonal of the Hessian (null where PyTorch has no double backward, or
gives no gradient for that input). Everything is float64.
"""

import json
import sys

import torch
import torch.nn.functional as F


def tensor(spec):
    t = torch.tensor(spec["data"], dtype=torch.float64).reshape(spec["shape"])
    if spec.get("index"):
        return t.long()
    if spec.get("grad"):
        t.requires_grad_(True)
    return t


def same(a, b):
    # Losses compare operands of one shape, or against a scalar.
    return torch.broadcast_tensors(a, b)


def reduce(x, kw, fn):
    if "axis" in kw:
        return fn(x, kw["axis"])
    return fn(x, None)


def apply(op, xs, kw):
    a = xs[0]
    if op == "add":
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out
    simple = {
        "sub": lambda: xs[0] - xs[1],
        "mul": lambda: xs[0] * xs[1],
        "div": lambda: xs[0] / xs[1],
        "pow": lambda: torch.pow(xs[0], xs[1]),
        "neg": lambda: -a,
        "square": lambda: torch.square(a),
        "exp": lambda: torch.exp(a),
        "log": lambda: torch.log(a),
        "sin": lambda: torch.sin(a),
        "cos": lambda: torch.cos(a),
        "tanh": lambda: torch.tanh(a),
        "sigmoid": lambda: torch.sigmoid(a),
        "relu": lambda: torch.relu(a),
        "abs": lambda: torch.abs(a),
        "sqrt": lambda: torch.sqrt(a),
        "matmul": lambda: torch.matmul(xs[0], xs[1]),
        "transpose": lambda: a.t(),
        "maximum": lambda: torch.maximum(xs[0], xs[1]),
        "minimum": lambda: torch.minimum(xs[0], xs[1]),
        "clip": lambda: torch.clamp(xs[0], min=xs[1], max=xs[2]),
        "softmax": lambda: F.softmax(a, dim=-1),
        "log_softmax": lambda: F.log_softmax(a, dim=-1),
        "logsumexp": lambda: torch.logsumexp(a, dim=-1),
        "flatten": lambda: a.reshape(-1),
    }
    if op in simple:
        return simple[op]()
    if op == "sum":
        return reduce(a, kw, lambda x, d: x.sum() if d is None else x.sum(dim=d))
    if op == "mean":
        return reduce(a, kw, lambda x, d: x.mean() if d is None else x.mean(dim=d))
    if op == "max":
        return reduce(a, kw, lambda x, d: x.max() if d is None else x.max(dim=d).values)
    if op == "var":
        return reduce(a, kw, lambda x, d: x.var(unbiased=False) if d is None else x.var(dim=d, unbiased=False))
    if op == "reshape":
        return a.reshape(kw["shape"])
    if op == "onehot":
        return F.one_hot(a, kw["classes"]).double()
    if op == "squared_error":
        x, y = same(xs[0], xs[1])
        return F.mse_loss(x, y, reduction="sum")
    if op == "mse":
        x, y = same(xs[0], xs[1])
        return F.mse_loss(x, y)
    if op == "binary_cross_entropy":
        x, y = same(xs[0], xs[1])
        return F.binary_cross_entropy(x, y)
    if op == "bce_with_logits":
        x, y = same(xs[0], xs[1])
        return F.binary_cross_entropy_with_logits(x, y)
    if op == "huber":
        x, y = same(xs[0], xs[1])
        return F.huber_loss(x, y, delta=float(xs[2]))
    if op == "cross_entropy":
        z, t = xs
        if z.dim() == 1:  # One sample: PyTorch wants a batch of one.
            z, t = z.unsqueeze(0), t.unsqueeze(0)
        return F.cross_entropy(z, t)
    if op == "nll":
        z, t = xs
        if z.dim() == 1:
            z, t = z.unsqueeze(0), t.unsqueeze(0)
        return F.nll_loss(z, t)
    raise ValueError("unknown op " + op)


def flat(t):
    return t.detach().reshape(-1).tolist()


def run(case):
    xs = [tensor(s) for s in case["inputs"]]
    out = apply(case["op"], xs, case.get("kw", {}))
    res = {"value": {"shape": list(out.shape), "data": flat(out)}, "grads": {}, "hess": {}}
    G = torch.tensor(case["G"]["data"], dtype=torch.float64).reshape(case["G"]["shape"])
    L = (G * out).sum()
    for spec, x in zip(case["inputs"], xs):
        if not spec.get("grad"):
            continue
        name = spec["name"]
        try:
            (g,) = torch.autograd.grad(L, x, retain_graph=True, create_graph=True, allow_unused=True)
        except RuntimeError:
            res["grads"][name] = None  # No gradient for this input in PyTorch.
            res["hess"][name] = None
            continue
        if g is None:
            # PyTorch does not differentiate with respect to this input
            # (huber's delta is a float there).
            res["grads"][name] = None
            res["hess"][name] = None
            continue
        res["grads"][name] = flat(g)
        diag = []
        try:
            gf = g.reshape(-1)
            for i in range(gf.numel()):
                if not gf[i].requires_grad:
                    diag.append(0.0)
                    continue
                (h,) = torch.autograd.grad(gf[i], x, retain_graph=True, allow_unused=True)
                diag.append(0.0 if h is None else h.reshape(-1)[i].item())
            res["hess"][name] = diag
        except RuntimeError:
            res["hess"][name] = None  # No double backward in PyTorch.
    return res


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    out = {}
    for case in cases:
        try:
            out[case["id"]] = run(case)
        except Exception as e:  # Reported by the Go test, case by case.
            out[case["id"]] = {"error": "%s: %s" % (type(e).__name__, e)}
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
