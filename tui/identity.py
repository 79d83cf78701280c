"""Who is acting: the real operator behind the shell, as `user@host`.

On a shared bastion people often `sudo -i` into one account; SUDO_USER keeps the
person visible in the timeline, so two operators in the same account differ.
"""

from __future__ import annotations

import getpass
import os
import socket


def current_actor() -> str:
    user = os.environ.get("SUDO_USER") or os.environ.get("USER") or os.environ.get("LOGNAME")
    if not user:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = f"uid{os.getuid()}"
    host = socket.gethostname().split(".")[0] or "localhost"
    return f"{user}@{host}"
