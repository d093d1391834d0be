"""Where `codex login` keeps credentials: `auth.json`, the OS keyring, or memory.

`open_store(mode, codex_home)` returns the store `cli_auth_credentials_store` names. The `auto`
mode prefers the keyring and falls back to the 0600 file only with a warning, never silently.
Importing this package does not import `keyring`; the keyring stores do, when first used.
"""

from pycodex_keyring_store._stores import (
    AUTH_FILE,
    KEYRING_SERVICE,
    AutoStore,
    CredentialStore,
    CredentialStoreError,
    EphemeralStore,
    FileStore,
    KeyringStore,
    StoreMode,
    keyring_account,
    open_store,
)

__all__ = [
    "AUTH_FILE",
    "AutoStore",
    "CredentialStore",
    "CredentialStoreError",
    "EphemeralStore",
    "FileStore",
    "KEYRING_SERVICE",
    "KeyringStore",
    "StoreMode",
    "keyring_account",
    "open_store",
]
