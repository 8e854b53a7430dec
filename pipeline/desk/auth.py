"""Editors' credentials for a desk served beyond loopback: a TOML file of PBKDF2 password hashes.

    [editors]
    alice = "pbkdf2_sha256$600000$<salt hex>$<hash hex>"    # newsdesk editor-password alice
"""

from __future__ import annotations

import hashlib
import hmac
import os
import tomllib
from pathlib import Path

ITERATIONS = 600_000
ENV_VAR = "NEWSDESK_EDITORS_FILE"


class CredentialsError(ValueError):
    pass


def hash_password(password: str, iterations: int = ITERATIONS) -> str:
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(candidate.hex(), digest)


def load_editors(path: str | os.PathLike | None) -> dict[str, str]:
    """editor id -> password hash; {} without a file."""
    if not path:
        return {}
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CredentialsError(f"editors file {path} cannot be read: {exc}") from None
    editors = data.get("editors")
    if not isinstance(editors, dict) or not editors or not all(isinstance(v, str) for v in editors.values()):
        raise CredentialsError(f"editors file {path} needs an [editors] table of name = \"password hash\"")
    return editors
