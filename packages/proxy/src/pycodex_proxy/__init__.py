"""Loopback HTTP / CONNECT policy proxy: a sandboxed command with limited network reaches only this.

```python
from pycodex_proxy import DomainPolicy, ProxyServer

with ProxyServer(DomainPolicy(allowed=["pypi.org", "*.pythonhosted.org"])) as proxy:
    bridge = proxy.bridge_socket()  # hand bridge.fileno() to the Linux sandbox (ProxyBridge)
    ...
    proxy.decisions  # every allow / block, also logged
```

Refused requests get `403` with `x-proxy-error: blocked-by-allowlist | blocked-by-denylist |
blocked-by-method-policy | blocked-by-policy`, as Codex 0.169's proxy answers.
"""

from pycodex_proxy._policy import BlockReason, Decision, DomainPolicy, normalize_host
from pycodex_proxy._server import ProxyServer

__all__ = ["BlockReason", "Decision", "DomainPolicy", "ProxyServer", "normalize_host"]
