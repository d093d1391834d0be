"""A small interpreter for the Starlark that `.rules` files are written in.

The file is parsed with Python's `ast` (Starlark's syntax is close to a subset of Python's) and the
tree is walked here; nothing is ever compiled or executed by Python. Nodes Starlark does not have
(classes, `while`, imports, `try`, ...) are parse errors, recursion and loops run under a step budget.
"""

# Starlark values are dynamically typed (`Value = Any`); the unknown-type reports say nothing here.
# pyright: reportUnknownArgumentType=false, reportUnknownLambdaType=false, reportUnknownVariableType=false
# pyright: reportUnknownMemberType=false

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pycodex_execpolicy._values import Builtin, EvalError, Value, binary_op, get_method, starlark_str, type_name

__all__ = ["Frame", "Span", "StarlarkError", "evaluate_module"]

MAX_STEPS = 500_000
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_DEPTH = 64
_BINOPS: dict[type[ast.AST], str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
    ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>",
}  # fmt: skip
_KEYWORD_OF: dict[type[ast.AST], str] = {
    ast.ClassDef: "class", ast.While: "while", ast.Import: "import", ast.ImportFrom: "from", ast.Try: "try",
    ast.With: "with", ast.Global: "global", ast.Nonlocal: "nonlocal", ast.Raise: "raise", ast.Assert: "assert",
    ast.Delete: "del", ast.AsyncFunctionDef: "async", ast.Await: "await", ast.Yield: "yield",
    ast.YieldFrom: "yield", ast.NamedExpr: ":=", ast.Set: "{", ast.SetComp: "{", ast.GeneratorExp: "(",
    ast.Match: "match", ast.TryStar: "try",
}  # fmt: skip


@dataclass(frozen=True)
class Span:
    """A region of the source: 1-based lines, 1-based character columns, end exclusive."""

    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True)
class Frame:
    """One call in a traceback: where it was made and in which function."""

    span: Span
    function: str


class StarlarkError(Exception):
    """An error in a rule file, with where it happened and the calls that led there."""

    def __init__(self, message: str, span: Span | None, frames: tuple[Frame, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.frames = frames


class _Return(Exception):
    def __init__(self, value: Value) -> None:
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


@dataclass
class _Function:
    name: str
    node: ast.FunctionDef | ast.Lambda
    defaults: list[Value]
    kw_defaults: list[Value | None]


class _Interpreter:
    def __init__(self, source: str, builtins: dict[str, Value], stack: list[Frame]) -> None:
        self.lines = source.split("\n")
        self.builtins = builtins
        self.globals: dict[str, Value] = {}
        self.steps = 0
        self.stack = stack
        self.module: ast.Module | None = None
        self.function_names: list[str] = ["<module>"]

    # -- positions -------------------------------------------------------------------------------

    def _col(self, line: int, byte_col: int) -> int:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace")) + 1

    def span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        start = self._col(line, getattr(node, "col_offset", 0))
        end = self._col(end_line, getattr(node, "end_col_offset", None) or 0)
        return Span(line, start, end_line, end)

    def error(self, message: str, node: ast.AST) -> StarlarkError:
        return StarlarkError(message, self.span(node), tuple(self.stack))

    # -- statements ------------------------------------------------------------------------------

    def run(self, module: ast.Module) -> None:
        self.exec_block(module.body, self.globals)

    def exec_block(self, body: list[ast.stmt], env: dict[str, Value]) -> None:
        for stmt in body:
            self.exec_stmt(stmt, env)

    def tick(self, node: ast.AST) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise self.error(f"evaluation exceeded {MAX_STEPS} steps", node)

    def exec_stmt(self, stmt: ast.stmt, env: dict[str, Value]) -> None:
        self.tick(stmt)
        if isinstance(stmt, ast.Expr):
            self.eval(stmt.value, env)
        elif isinstance(stmt, ast.Assign):
            value = self.eval(stmt.value, env)
            for target in stmt.targets:
                self.assign(target, value, env)
        elif isinstance(stmt, ast.AugAssign):
            current = self.eval(_as_load(stmt.target), env)
            value = self.wrap(stmt, lambda: binary_op(_BINOPS[type(stmt.op)], current, self.eval(stmt.value, env)))
            self.assign(stmt.target, value, env)
        elif isinstance(stmt, ast.If):
            self.exec_block(stmt.body if _truth(self.eval(stmt.test, env)) else stmt.orelse, env)
        elif isinstance(stmt, ast.For):
            self.exec_for(stmt, env)
        elif isinstance(stmt, ast.FunctionDef):
            env[stmt.name] = self.make_function(stmt.name, stmt, env)
        elif isinstance(stmt, ast.Return):
            raise _Return(None if stmt.value is None else self.eval(stmt.value, env))
        elif isinstance(stmt, ast.Break):
            raise _Break
        elif isinstance(stmt, ast.Continue):
            raise _Continue
        elif not isinstance(stmt, ast.Pass):
            raise self.error(f"Parse error: unsupported statement `{type(stmt).__name__}`", stmt)

    def exec_for(self, stmt: ast.For, env: dict[str, Value]) -> None:
        items = self.iterate(self.eval(stmt.iter, env), stmt.iter)
        for item in items:
            self.assign(stmt.target, item, env)
            try:
                self.exec_block(stmt.body, env)
            except _Break:
                return
            except _Continue:
                continue

    def assign(self, target: ast.expr, value: Value, env: dict[str, Value]) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = self.iterate(value, target)
            if len(items) != len(target.elts):
                raise self.error(f"Unpacked {len(items)} values but expected {len(target.elts)}", target)
            for elt, item in zip(target.elts, items, strict=True):
                self.assign(elt, item, env)
        elif isinstance(target, ast.Subscript):
            container = self.eval(target.value, env)
            key = self.eval(target.slice, env)
            if isinstance(container, (list, dict)):
                self.wrap(target, lambda: container.__setitem__(key, value))
            else:
                raise self.error(f"Object of type `{type_name(container)}` does not support item assignment", target)
        else:
            raise self.error("Parse error: invalid assignment target", target)

    def make_function(self, name: str, node: ast.FunctionDef | ast.Lambda, env: dict[str, Value]) -> _Function:
        defaults = [self.eval(d, env) for d in node.args.defaults]
        kw_defaults = [None if d is None else self.eval(d, env) for d in node.args.kw_defaults]
        return _Function(name, node, defaults, kw_defaults)

    def iterate(self, value: Value, node: ast.AST) -> list[Value]:
        if isinstance(value, (list, tuple, str)) and not isinstance(value, str):
            return list(value)
        if isinstance(value, dict):
            return list(value)
        raise self.error(f"Type `{type_name(value)}` is not iterable", node)

    def wrap(self, node: ast.AST, thunk: Callable[[], Value]) -> Value:
        try:
            return thunk()
        except EvalError as exc:
            raise self.error(str(exc), node) from None

    # -- expressions -----------------------------------------------------------------------------

    def eval(self, node: ast.expr, env: dict[str, Value]) -> Value:  # noqa: C901
        self.tick(node)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (bytes, complex)) or node.value is Ellipsis:
                raise self.error("Parse error: unsupported literal", node)
            bad = _SURROGATE.search(node.value) if isinstance(node.value, str) else None
            if bad is not None:
                raise self.error(f"Parse error: invalid string escape sequence `u{ord(bad.group()):04x}`", node)
            return node.value
        if isinstance(node, ast.Name):
            return self.lookup(node, env)
        if isinstance(node, ast.List):
            return [self.eval(e, env) for e in node.elts]
        if isinstance(node, ast.Tuple):
            return tuple(self.eval(e, env) for e in node.elts)
        if isinstance(node, ast.Dict):
            return self.eval_dict(node, env)
        if isinstance(node, ast.BinOp):
            left, right = self.eval(node.left, env), self.eval(node.right, env)
            return self.wrap(node, lambda: binary_op(_BINOPS[type(node.op)], left, right))
        if isinstance(node, ast.BoolOp):
            return self.eval_boolop(node, env)
        if isinstance(node, ast.UnaryOp):
            return self.eval_unary(node, env)
        if isinstance(node, ast.Compare):
            return self.eval_compare(node, env)
        if isinstance(node, ast.IfExp):
            return self.eval(node.body if _truth(self.eval(node.test, env)) else node.orelse, env)
        if isinstance(node, ast.Call):
            return self.eval_call(node, env)
        if isinstance(node, ast.Attribute):
            value = self.eval(node.value, env)
            return self.wrap(node, lambda: get_method(value, node.attr))
        if isinstance(node, ast.Subscript):
            return self.eval_subscript(node, env)
        if isinstance(node, ast.JoinedStr):
            return "".join(self.eval_fstring_part(p, env) for p in node.values)
        if isinstance(node, (ast.ListComp, ast.DictComp)):
            return self.eval_comprehension(node, env)
        if isinstance(node, ast.Lambda):
            return self.make_function("lambda", node, env)
        keyword = _KEYWORD_OF.get(type(node), type(node).__name__)
        raise self.error(f"Parse error: unsupported expression `{keyword}`", node)

    def lookup(self, node: ast.Name, env: dict[str, Value]) -> Value:
        for scope in (env, self.globals, self.builtins):
            if node.id in scope:
                return scope[node.id]
        names = [*env, *(_module_names(self.module) if self.module else []), *self.builtins]
        close = _closest(node.id, names)
        hint = f", did you mean `{close}`?" if close else ""
        raise self.error(f"Variable `{node.id}` not found{hint}", node)

    def eval_dict(self, node: ast.Dict, env: dict[str, Value]) -> Value:
        out: dict[Value, Value] = {}
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            if key_node is None:
                raise self.error("Parse error: unsupported expression `**`", value_node)
            key = self.eval(key_node, env)
            self.check_hashable(key, key_node)
            out[key] = self.eval(value_node, env)
        return out

    def check_hashable(self, key: Value, node: ast.AST) -> None:
        if isinstance(key, (list, dict)):
            raise self.error(f"Value of type `{type_name(key)}` is not hashable", node)

    def eval_boolop(self, node: ast.BoolOp, env: dict[str, Value]) -> Value:
        value: Value = None
        for operand in node.values:
            value = self.eval(operand, env)
            if _truth(value) == isinstance(node.op, ast.Or):
                return value
        return value

    def eval_unary(self, node: ast.UnaryOp, env: dict[str, Value]) -> Value:
        value = self.eval(node.operand, env)
        if isinstance(node.op, ast.Not):
            return not _truth(value)
        if type_name(value) not in ("int", "float") or (isinstance(node.op, ast.Invert) and type_name(value) != "int"):
            symbols: dict[type[ast.AST], str] = {ast.USub: "-", ast.UAdd: "+", ast.Invert: "~"}
            symbol = symbols[type(node.op)]
            raise self.error(f"Operation `{symbol}` not supported on type `{type_name(value)}`", node)
        if isinstance(node.op, ast.USub):
            return -value
        return ~value if isinstance(node.op, ast.Invert) else value

    def eval_compare(self, node: ast.Compare, env: dict[str, Value]) -> Value:
        left = self.eval(node.left, env)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.eval(right_node, env)
            if not self.wrap(node, lambda: _compare(op, left, right)):  # noqa: B023
                return False
            left = right
        return True

    def eval_subscript(self, node: ast.Subscript, env: dict[str, Value]) -> Value:
        container = self.eval(node.value, env)
        if isinstance(node.slice, ast.Slice):
            parts = [
                None if p is None else self.eval(p, env) for p in (node.slice.lower, node.slice.upper, node.slice.step)
            ]
            if type_name(container) not in ("string", "list", "tuple") or parts[2] == 0:
                raise self.error(f"Object of type `{type_name(container)}` does not support slicing", node)
            return container[slice(*parts)]
        key = self.eval(node.slice, env)
        try:
            if isinstance(container, dict):
                return container[key]
            if type_name(container) in ("string", "list", "tuple") and type_name(key) == "int":
                return container[key]
        except (KeyError, IndexError):
            raise self.error(f"Key or index {starlark_str(key)} not found", node) from None
        except TypeError:
            pass
        raise self.error(f"Object of type `{type_name(container)}` cannot be indexed by `{type_name(key)}`", node)

    def eval_fstring_part(self, part: ast.expr, env: dict[str, Value]) -> str:
        if isinstance(part, ast.Constant):
            return str(part.value)
        if isinstance(part, ast.FormattedValue) and part.format_spec is None:
            value = self.eval(part.value, env)
            return repr(value) if part.conversion == ord("r") else starlark_str(value)
        raise self.error("Parse error: unsupported f-string format", part)

    def eval_comprehension(self, node: ast.ListComp | ast.DictComp, env: dict[str, Value]) -> Value:
        scope: dict[str, Value] = {} if env is self.globals else dict(env)
        items: list[Value] = []
        pairs: dict[Value, Value] = {}
        for _ in self.generate(node.generators, 0, scope):
            if isinstance(node, ast.ListComp):
                items.append(self.eval(node.elt, scope))
            else:
                key = self.eval(node.key, scope)
                self.check_hashable(key, node.key)
                pairs[key] = self.eval(node.value, scope)
        return items if isinstance(node, ast.ListComp) else pairs

    def generate(self, gens: list[ast.comprehension], i: int, scope: dict[str, Value]) -> Iterator[None]:
        if i == len(gens):
            yield None
            return
        gen = gens[i]
        for item in self.iterate(self.eval(gen.iter, scope), gen.iter):
            self.assign(gen.target, item, scope)
            if all(_truth(self.eval(cond, scope)) for cond in gen.ifs):
                yield from self.generate(gens, i + 1, scope)

    # -- calls -----------------------------------------------------------------------------------

    def eval_call(self, node: ast.Call, env: dict[str, Value]) -> Value:
        callee = self.eval(node.func, env)
        args: list[Value] = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                args.extend(self.iterate(self.eval(arg.value, env), arg))
            else:
                args.append(self.eval(arg, env))
        kwargs: dict[str, Value] = {}
        for kw in node.keywords:
            if kw.arg is None:
                extra = self.eval(kw.value, env)
                if not isinstance(extra, dict):
                    raise self.error("Parse error: `**` needs a dict", kw.value)
                kwargs.update({str(k): v for k, v in extra.items()})
            elif kw.arg in kwargs:
                raise self.error("repeated named argument", kw)
            else:
                kwargs[kw.arg] = self.eval(kw.value, env)
        if len(self.stack) >= MAX_DEPTH:
            raise self.error("Starlark call stack overflow", node)
        self.stack.append(Frame(self.span(node), self.function_names[-1]))
        try:
            return self.invoke(callee, args, kwargs, node)
        finally:
            self.stack.pop()

    def invoke(self, callee: Value, args: list[Value], kwargs: dict[str, Value], node: ast.Call) -> Value:
        if isinstance(callee, Builtin):
            return self.wrap(node, lambda: callee.fn(args, kwargs))
        if isinstance(callee, _Function):
            local = self.bind(callee, args, kwargs, node)
            self.function_names.append(callee.name)
            try:
                if isinstance(callee.node, ast.Lambda):
                    return self.eval(callee.node.body, local)
                self.exec_block(callee.node.body, local)
            except _Return as ret:
                return ret.value
            finally:
                self.function_names.pop()
            return None
        raise self.error(f"Object of type `{type_name(callee)}` is not callable", node)

    def bind(self, fn: _Function, args: list[Value], kwargs: dict[str, Value], node: ast.Call) -> dict[str, Value]:
        spec = fn.node.args
        names = [a.arg for a in (*spec.posonlyargs, *spec.args)]
        local: dict[str, Value] = {}
        for name, value in zip(names, args, strict=False):
            local[name] = value
        extra = args[len(names) :]
        if extra and spec.vararg is None:
            raise self.error(f"Found {len(extra)} extra positional argument(s) for call to {fn.name}", node)
        if spec.vararg is not None:
            local[spec.vararg.arg] = tuple(extra)
        kw_names = [a.arg for a in spec.kwonlyargs]
        rest: dict[str, Value] = {}
        for key, value in kwargs.items():
            if key in local:
                raise self.error(f"Multiple values for parameter `{key}` in call to {fn.name}", node)
            if key in names or key in kw_names:
                local[key] = value
            elif spec.kwarg is not None:
                rest[key] = value
            else:
                raise self.error(f"Found `{key}` extra named parameter(s) for call to {fn.name}", node)
        if spec.kwarg is not None:
            local[spec.kwarg.arg] = rest
        first_default = len(names) - len(fn.defaults)
        for i, name in enumerate(names):
            if name not in local:
                if i < first_default:
                    raise self.error(f"Missing parameter `{name}` for call to `{fn.name}`", node)
                local[name] = fn.defaults[i - first_default]
        for name, default in zip(kw_names, fn.kw_defaults, strict=True):
            if name not in local:
                if default is None:
                    raise self.error(f"Missing parameter `{name}` for call to `{fn.name}`", node)
                local[name] = default
        return local


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _closest(name: str, candidates: list[str]) -> str | None:
    """The candidate nearest to `name` in edit distance, when it is near enough to be a typo."""
    best: tuple[int, str] | None = None
    for candidate in dict.fromkeys(candidates):
        if candidate in ("True", "False", "None"):
            continue
        distance = _levenshtein(name, candidate)
        if best is None or distance < best[0]:
            best = (distance, candidate)
    if best is None or best[0] > max(2, len(name) // 2):
        return None
    return best[1]


def _module_names(module: ast.Module) -> list[str]:
    """Names the module binds anywhere at top level (Starlark knows them before they are assigned)."""
    names: list[str] = []
    for node in ast.walk(module):
        if isinstance(node, ast.FunctionDef):
            names.append(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.append(node.id)
    return names


def _as_load(target: ast.expr) -> ast.expr:
    copy = ast.Name(id=target.id, ctx=ast.Load()) if isinstance(target, ast.Name) else target
    return ast.copy_location(copy, target)


def _truth(value: Value) -> bool:
    return bool(value) if not callable(value) and not isinstance(value, Builtin) else True


def _compare(op: ast.cmpop, left: Value, right: Value) -> bool:
    if isinstance(op, ast.Eq):
        return type_name(left) == type_name(right) and left == right or _numeric_eq(left, right)
    if isinstance(op, ast.NotEq):
        return not _compare(ast.Eq(), left, right)
    if isinstance(op, (ast.In, ast.NotIn)):
        if type_name(right) == "string" and type_name(left) != "string":
            raise EvalError(f"Operation `in` not supported for types `{type_name(left)}` and `string`")
        if type_name(right) not in ("string", "list", "tuple", "dict"):
            raise EvalError(f"Operation `in` not supported for types `{type_name(left)}` and `{type_name(right)}`")
        found = left in right
        return found if isinstance(op, ast.In) else not found
    if isinstance(op, (ast.Is, ast.IsNot)):
        raise EvalError("Parse error: `is` is not an operator in Starlark")
    comparable = type_name(left) == type_name(right) or {type_name(left), type_name(right)} <= {"int", "float"}
    if not comparable or type_name(left) in ("dict", "NoneType", "function"):
        raise EvalError(f"Operation `<` not supported for types `{type_name(left)}` and `{type_name(right)}`")
    try:
        ordering: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
            ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b,
            ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
        }  # fmt: skip
        return ordering[type(op)](left, right)
    except TypeError:
        raise EvalError(f"Operation `<` not supported for types `{type_name(left)}` and `{type_name(right)}`") from None


def _numeric_eq(left: Value, right: Value) -> bool:
    return {type_name(left), type_name(right)} <= {"int", "float"} and left == right


def evaluate_module(source: str, filename: str, builtins: dict[str, Value], stack: list[Frame] | None = None) -> None:
    """Parse `source` and run it with `builtins` in scope.

    `stack`, when given, is kept up to date with the calls in progress, so a builtin can tell
    where it was called from (`stack[-1]`).

    Raises:
        StarlarkError: on a syntax error, a construct Starlark lacks, or any evaluation error.
    """
    try:
        module = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        line = exc.lineno or 1
        col = exc.offset or 1
        raise StarlarkError(f"Parse error: {exc.msg}", Span(line, col, line, col)) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise StarlarkError(f"Parse error: {exc}", Span(1, 1, 1, 1)) from None
    interp = _Interpreter(source, builtins, [] if stack is None else stack)
    _check_syntax(module, interp)
    interp.module = module
    try:
        interp.run(module)
    except RecursionError:
        raise StarlarkError("expression nesting too deep", None) from None
    except (_Return, _Break, _Continue):
        raise StarlarkError("Parse error: `return`, `break` or `continue` outside a function or loop", None) from None


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for stmt in body:
        yield stmt
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, name, None)
            if isinstance(inner, list):
                yield from _statements([s for s in inner if isinstance(s, ast.stmt)])
        for handler in getattr(stmt, "handlers", None) or []:
            yield from _statements(handler.body)


def _check_syntax(module: ast.Module, interp: _Interpreter) -> None:
    """Reject statements Starlark does not have before anything runs (expressions are checked as they run)."""
    for node in _statements(module.body):
        keyword = _KEYWORD_OF.get(type(node))
        if keyword is not None:
            span = interp.span(node)
            at = Span(span.line, span.col, span.line, span.col + len(keyword))
            raise StarlarkError(f"Parse error: cannot use reserved keyword `{keyword}`", at)
        if isinstance(node, ast.FunctionDef) and node.decorator_list:
            raise interp.error("Parse error: decorators are not supported", node)
        call = node.value if isinstance(node, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "load":
            first = call.args[0] if call.args else None
            module_name = first.value if isinstance(first, ast.Constant) else "?"
            raise interp.error(
                f"No imports are available, you tried `{module_name}` (no call to `Evaluator.set_loader`)", call
            )
