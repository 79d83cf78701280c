# Sourced by scripts/run and scripts/test: make sure .venv holds warroom and its
# test tools, installing what a fresh Debian/Ubuntu machine lacks.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=""
apt_install() {
    # Installs Debian packages only when asked for; quiet unless it fails.
    command -v apt-get >/dev/null || { echo "warroom: need $* but apt-get is missing" >&2; return 1; }
    if [ -z "$APT_UPDATED" ]; then
        as_root apt-get update -qq >/dev/null
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pick_python() {
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    apt_install python3 python3-venv python3-pip
    echo python3
}

ensure_venv() {
    local extra="${1:-}"
    local python
    python="$(pick_python)"
    if [ ! -x "$VENV/bin/python" ]; then
        if ! "$python" -m venv "$VENV" 2>/dev/null; then
            apt_install python3-venv
            rm -rf "$VENV"
            "$python" -m venv "$VENV"
        fi
    fi
    # Reinstall only when pyproject.toml changed since the last install.
    local stamp="$VENV/.installed-$extra"
    if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
        "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
        "$VENV/bin/python" -m pip install -q -e "$ROOT${extra:+[$extra]}"
        touch "$stamp"
    fi
}
