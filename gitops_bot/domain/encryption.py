"""Files encrypted by SOPS, which no recipe may edit.

SOPS (the encryption Flux decrypts with, common in GitOps repositories as `*.sops.yaml`) keeps
a MAC over every value of the file, encrypted or not (with `encrypted_regex`, a Secret's
metadata stays readable but is still covered). A line removed or a tag moved by anything but
`sops` itself makes the MAC fail, and Flux then stops applying the file and everything in its
Kustomization. So an edit planned in such a file is refused and listed; deleting the file
whole (a component's own secret) is safe, and stays allowed.

The file is recognised by its MAC: the `mac: ENC[...]` entry of its `sops:` metadata in YAML,
`"mac": "ENC[...]"` in JSON, `sops_mac=ENC[...]` in dotenv and INI files.
"""

from __future__ import annotations

import re

_MAC_RE = re.compile(r"""^[ \t]+mac:[ \t]*["']?ENC\[|"mac"[ \t]*:[ \t]*"ENC\[|^sops_mac=ENC\[""", re.MULTILINE)

REFUSAL = ("encrypted by SOPS: its MAC covers every value, so an edit made outside sops breaks "
           "decryption; make it with sops (sops edit, or sops unset for a key)")


def sops_encrypted(text: str | None) -> bool:
    """Whether `text` is a file SOPS encrypted (it carries SOPS's MAC)."""
    return bool(text) and "ENC[" in text and _MAC_RE.search(text) is not None
