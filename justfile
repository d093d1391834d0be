# pycodex task runner. `just` lists the recipes; `just ci` is what .ci/run calls.

set shell := ["bash", "-euo", "pipefail", "-c"]

export PYTHONWARNDEFAULTENCODING := "1"

codex_ref := justfile_directory() / ".codex-ref"

# List the recipes
help:
    @just --list

# Install every member and every dependency group
sync:
    uv sync --all-packages --all-groups --frozen --compile-bytecode
    uv run --no-sync python -m compileall -q packages >/dev/null

lock:
    uv lock

lock-check:
    uv lock --check

fmt:
    uv run ruff format
    uv run ruff check --fix

# ruff, pyright, the layer rule, the shape of every member and the exec-events schema
lint: typecheck
    uv run ruff format --check
    uv run ruff check
    uv run python tools/check_layers.py
    uv run python tools/check_workspace.py
    uv run python tools/gen_schema.py --check

typecheck:
    uv run pyright

# The real Codex 0.169 from npm, for differential tests and benchmarks
ref-codex:
    @if [ ! -d "{{codex_ref}}/node_modules/@openai/codex-linux-x64" ]; then \
        uv run npm install --no-audit --no-fund --prefix "{{codex_ref}}" @openai/codex@0.169.0; \
    fi

# The third-party MCP servers the MCP tests run (npm, pinned by tests/mcp_servers/package-lock.json)
mcp-servers:
    @if [ ! -x tests/mcp_servers/node_modules/.bin/mcp-server-everything ]; then \
        uv run npm ci --no-audit --no-fund --prefix tests/mcp_servers; \
    fi

# The whole test suite (pass extra pytest arguments after `test`)
test *args: sync ref-codex mcp-servers
    uv run python -m pytest -n 2 -q {{args}}

# One member's tests in an environment with only its declared dependencies
test-pkg name *args:
    uv run --isolated --package pycodex-{{name}} --group dev --group test python -m pytest -q -p no:cacheprovider packages/{{name}}/tests {{args}}

# test-pkg for every member, plus a bare import of each in a fresh environment
isolation:
    for dir in packages/*/; do \
        name=$(basename "$dir"); mod=pycodex_${name//-/_}; \
        just test-pkg "$name" -m "'not slow and not codex'" -x; \
        uv run --isolated --no-project --with "./packages/$name" python -c "import $mod"; \
    done

cov:
    uv run coverage run -m pytest -q
    uv run coverage report

build name:
    uv build --package pycodex-{{name}} --no-sources -o dist/{{name}}

build-all:
    rm -rf dist
    uv build --all-packages --no-sources -o dist

# Install the built wheels in a fresh venv outside the workspace and run the command
smoke: build-all
    rm -rf build/smoke && uv venv -q build/smoke
    uv pip install -q --python build/smoke/bin/python --find-links dist pycodex-cli
    build/smoke/bin/codex --version
    build/smoke/bin/codex --help >/dev/null

bump name part:
    uv version --package pycodex-{{name}} --bump {{part}}

codex *args:
    uv run codex {{args}}

# Benchmarks (on demand, never in CI)
bench: sync ref-codex
    uv run python bench/startup.py
    for f in bench/[!_]*.py; do [ "$f" = bench/startup.py ] || uv run python "$f"; done

# Everything CI checks
ci: sync lock-check lint test isolation smoke
