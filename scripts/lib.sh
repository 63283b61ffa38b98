# Shared by scripts/run and scripts/test. Sourced, not executed.
# shellcheck shell=bash

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_SRC=${ODOO_SRC:-/opt/odoo18}
# Everything the scripts install or write lives outside the clone: the clone is the addon,
# and Odoo walks the whole addon folder (translation export, module checks), so a virtualenv
# or a symlink inside it would be scanned as part of the addon.
CREDIT_HOME=${CREDIT_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/credit_management}
# with Odoo's requirements when Odoo is there; a small one for the core and static checks
# on machines without Odoo
if [ -f "$ODOO_SRC/odoo-bin" ]; then VENV=$CREDIT_HOME/venv; else VENV=$CREDIT_HOME/venv-core; fi
# per clone: odoo.conf, the addons-path symlink, logs, test reports
STATE=$CREDIT_HOME/clones/$(printf '%s' "$REPO" | sha1sum | cut -c1-12)
# filestores of the databases the scripts create (shared, like the cached test template)
DATA_DIR=$CREDIT_HOME/odoo-data
ADDON=credit_management
# Bridge modules (e.g. credit_management_stock) live in bridges/<module>/ inside the clone and
# are linked next to the addon; they install automatically with the modules they bridge to.
BRIDGES=$(cd "$REPO" && for d in bridges/*/; do [ -f "$d/__manifest__.py" ] && basename "$d"; done 2>/dev/null | xargs)
DB_MARKER="created by credit_management scripts"
PYTHON=${PYTHON:-python3}

say() { printf '[credit_management] %s\n' "$*"; }
die() { printf '[credit_management] error: %s\n' "$*" >&2; exit 1; }

have_odoo() { [ -f "$ODOO_SRC/odoo-bin" ] && [ -d "$ODOO_SRC/odoo" ]; }

no_odoo_message() {
    cat <<EOF
No Odoo 18 at $ODOO_SRC (no odoo-bin there).
Point ODOO_SRC at an Odoo 18.0 source tree (the folder that holds odoo-bin), e.g.
    ODOO_SRC=\$HOME/src/odoo-18.0 $1
EOF
}

# Run a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root to run: $* (no sudo on this machine)"
    fi
}

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"
    else sudo -u postgres "$@"
    fi
}

apt_install() {
    command -v apt-get >/dev/null 2>&1 || return 1
    say "installing Debian packages: $*"
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >"$STATE/apt.log" 2>&1; then
        as_root apt-get update -q >>"$STATE/apt.log" 2>&1 || true
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$STATE/apt.log" 2>&1 \
            || { tail -20 "$STATE/apt.log" >&2; return 1; }
    fi
}

# Fonts with Chinese glyphs (Debian fonts-noto-cjk): without them wkhtmltopdf prints Chinese
# reports with empty boxes.
have_cjk_fonts() {
    command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh-cn family 2>/dev/null | grep -q .
}

# A browser for Odoo's HttpCase tours (e.g. the point of sale bridge's tour in Chromium):
# Debian's chromium, and websocket-client in the venv (Odoo drives Chrome through its
# DevTools websocket). Without them Odoo skips the tours.
ensure_browser() {
    if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 \
        && ! command -v google-chrome >/dev/null 2>&1 \
        && ! command -v google-chrome-stable >/dev/null 2>&1; then
        apt_install chromium || say "warning: no Chromium; the browser tours are skipped"
    fi
    "$VENV/bin/python" -c "import websocket" 2>/dev/null \
        || "$VENV/bin/python" -m pip install -q websocket-client >>"$STATE/pip.log" 2>&1 \
        || say "warning: websocket-client missing; the browser tours are skipped"
}

# PostgreSQL: installed, running, and a login role for the current OS user that may
# create databases. Existing databases are never touched here.
ensure_postgres() {
    mkdir -p "$STATE"
    if ! command -v pg_ctlcluster >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null 2>&1; then
        apt_install postgresql || die "PostgreSQL is not installed; install it (e.g. apt-get install postgresql) and run again"
    fi
    if ! pg_isready -q 2>/dev/null; then
        say "starting PostgreSQL"
        if command -v pg_lsclusters >/dev/null 2>&1; then
            pg_lsclusters --no-header 2>/dev/null | while read -r version cluster _port status _rest; do
                [ "$status" = online ] || as_root pg_ctlcluster "$version" "$cluster" start || true
            done
        fi
        pg_isready -q 2>/dev/null || as_root service postgresql start >/dev/null 2>&1 || true
        for _ in $(seq 1 30); do pg_isready -q 2>/dev/null && break; sleep 1; done
        pg_isready -q 2>/dev/null || die "PostgreSQL does not answer on its local socket"
    fi
    local me
    me=$(id -un)
    if ! psql -d postgres -Atqc "select 1" >/dev/null 2>&1; then
        [ "$me" = postgres ] && die "run these scripts as an ordinary user, not as 'postgres' (Odoo refuses it)"
        say "creating PostgreSQL role '$me'"
        as_postgres createuser --createdb "$me" || die "could not create the PostgreSQL role '$me'"
    fi
}

psql_value() { psql -d postgres -Atqc "$1"; }

db_exists() { [ "$(psql_value "select 1 from pg_database where datname = '$1'")" = 1 ]; }

db_comment() { psql_value "select coalesce(shobj_description(oid, 'pg_database'), '') from pg_database where datname = '$1'"; }

# True when the database exists and was created by these scripts.
db_is_ours() { case "$(db_comment "$1")" in "$DB_MARKER"*) return 0 ;; *) return 1 ;; esac; }

db_mark() { psql -d postgres -qc "comment on database \"$1\" is '$DB_MARKER${2:+; $2}'"; }

drop_our_db() {
    db_exists "$1" || return 0
    db_is_ours "$1" || die "database '$1' exists but was not created by these scripts; not touching it"
    dropdb --if-exists "$1"
    rm -rf "${DATA_DIR:?}/filestore/$1"
}

# .venv with the project's tools and, when Odoo is there, Odoo's requirements.
# Reinstalls only when one of the requirement files or the Python version changed.
ensure_venv() {
    mkdir -p "$STATE"
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating $VENV"
        "$PYTHON" -m venv "$VENV" 2>/dev/null || {
            apt_install python3-venv && "$PYTHON" -m venv "$VENV"
        } || die "cannot create a Python virtual environment with $PYTHON"
    fi
    local want_odoo=$1 stamp inputs
    inputs="$("$VENV/bin/python" -V) $(cat "$REPO/requirements-dev.txt")"
    if [ "$want_odoo" = yes ]; then
        inputs="$inputs $(cat "$ODOO_SRC/requirements.txt" "$REPO/scripts/odoo-requirements-overrides.txt")"
    fi
    stamp=$(printf '%s' "$inputs" | sha1sum | cut -c1-16)
    if [ "$(cat "$VENV/.credit-stamp" 2>/dev/null)" != "$stamp" ]; then
        say "installing Python packages into $VENV (once)"
        "$VENV/bin/python" -m pip install -q --upgrade pip >"$STATE/pip.log" 2>&1 || true
        "$VENV/bin/python" -m pip install -q -r "$REPO/requirements-dev.txt" >>"$STATE/pip.log" 2>&1 \
            || { tail -30 "$STATE/pip.log" >&2; die "installing requirements-dev.txt failed (log: $STATE/pip.log)"; }
        if [ "$want_odoo" = yes ]; then
            "$PYTHON" "$REPO/scripts/odoo_requirements.py" "$ODOO_SRC/requirements.txt" \
                "$REPO/scripts/odoo-requirements-overrides.txt" >"$STATE/odoo-requirements.txt"
            "$VENV/bin/python" -m pip install -q -r "$STATE/odoo-requirements.txt" >>"$STATE/pip.log" 2>&1 \
                || { tail -30 "$STATE/pip.log" >&2; die "installing Odoo's requirements failed (log: $STATE/pip.log)"; }
        fi
        echo "$stamp" >"$VENV/.credit-stamp"
    fi
    if [ "$want_odoo" = yes ]; then
        # make `import odoo` work in the venv (pytest-odoo, benchmarks) without installing it
        "$VENV/bin/python" - "$ODOO_SRC" <<'EOF'
import pathlib, sys, sysconfig
pathlib.Path(sysconfig.get_paths()["purelib"], "odoo-src.pth").write_text(sys.argv[1] + "\n")
EOF
    fi
}

# Odoo configuration: the addon is exposed under its module name through a symlink, so
# the clone's own folder name does not matter.
write_odoo_conf() {
    mkdir -p "$STATE/addons" "$DATA_DIR"
    link_addons
    local addons_path="$STATE/addons,$ODOO_SRC/odoo/addons"
    [ -d "$ODOO_SRC/addons" ] && addons_path="$addons_path,$ODOO_SRC/addons"
    cat >"$STATE/odoo.conf" <<EOF
[options]
addons_path = $addons_path
data_dir = $DATA_DIR
http_interface = ${CREDIT_HTTP_INTERFACE:-127.0.0.1}
http_port = ${CREDIT_HTTP_PORT:-8069}
list_db = False
max_cron_threads = 1
EOF
    ODOO_CONF=$STATE/odoo.conf
}

# The addon and its bridges, under their module names, in $STATE/addons.
link_addons() {
    mkdir -p "$STATE/addons"
    ln -sfn "$REPO" "$STATE/addons/$ADDON"
    local bridge
    for bridge in $BRIDGES; do ln -sfn "$REPO/bridges/$bridge" "$STATE/addons/$bridge"; done
}

# "credit_management,credit_management_stock": the modules the scripts install.
our_modules() { printf '%s' "$ADDON"; for b in $BRIDGES; do printf ',%s' "$b"; done; }

odoo_bin() { "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$ODOO_CONF" "$@"; }

# A fingerprint of everything an installed database depends on besides this addon.
odoo_fingerprint() {
    {
        "$VENV/bin/python" -V
        (cd "$ODOO_SRC" && find . -path '*/static' -prune -o -path '*/i18n' -prune -o -type f \
            \( -name '*.py' -o -name '*.xml' -o -name '*.csv' \) -printf '%P %s %T@\n' | sort)
        addon_depends
    } | sha1sum | cut -c1-12
}

# The Odoo modules the addon and its bridges depend on, without themselves, comma-separated.
addon_depends() {
    local manifests=("$REPO/__manifest__.py") bridge
    for bridge in $BRIDGES; do manifests+=("$REPO/bridges/$bridge/__manifest__.py"); done
    "$PYTHON" -c "
import ast, sys
ours = {sys.argv[1]} | {path.split('/')[-2] for path in sys.argv[3:]}
depends = []
for path in sys.argv[2:]:
    for name in ast.literal_eval(open(path).read())['depends']:
        if name not in ours and name not in depends:
            depends.append(name)
print(','.join(depends))" "$ADDON" "${manifests[@]}"
}

# A fingerprint of the addon's own files, to know when a database needs an update.
addon_fingerprint() {
    (cd "$REPO" && git ls-files -co --exclude-standard 2>/dev/null | grep -vE '^(bench|scripts|\.ci)/' \
        | while read -r f; do [ -f "$f" ] && printf '%s ' "$f" && sha1sum <"$f"; done) \
        | sha1sum | cut -c1-12
}

# Odoo logs "<date> <time> <pid> <LEVEL> <db> <logger>: <message>".
log_problems() { grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) ' "$1" || true; }

# --- Wheels (scripts/build-wheels, scripts/test --wheels) ---
# The virtualenv that builds the wheels: the `build` front-end and whool
# (scripts/wheels-requirements.txt), which run the builds (`build` checks whool meets each
# pyproject.toml's build requirements).
WHEEL_TOOLS=$CREDIT_HOME/venv-wheel-tools

ensure_wheel_tools() {
    mkdir -p "$STATE"
    if [ ! -x "$WHEEL_TOOLS/bin/python" ]; then
        "$PYTHON" -m venv "$WHEEL_TOOLS" || die "cannot create $WHEEL_TOOLS"
    fi
    local stamp
    stamp=$({ "$WHEEL_TOOLS/bin/python" -V; cat "$REPO/scripts/wheels-requirements.txt"; } | sha1sum | cut -c1-16)
    if [ "$(cat "$WHEEL_TOOLS/.credit-stamp" 2>/dev/null)" != "$stamp" ]; then
        say "installing build and whool into $WHEEL_TOOLS (once)"
        "$WHEEL_TOOLS/bin/python" -m pip install -q -r "$REPO/scripts/wheels-requirements.txt" \
            >"$STATE/pip-wheel-tools.log" 2>&1 \
            || { tail -20 "$STATE/pip-wheel-tools.log" >&2; return 1; }
        echo "$stamp" >"$WHEEL_TOOLS/.credit-stamp"
    fi
}

# Build odoo-addon-credit_management and one wheel per bridge into $1; prints their paths.
build_wheels() {
    ensure_wheel_tools || return 1
    "$WHEEL_TOOLS/bin/python" "$REPO/scripts/build_wheels.py" "$1"
}

# The site-packages folder of the virtualenv whose python is $1.
venv_site() { "$1" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'; }

# A fresh virtualenv in $1 in which Odoo counts as installed, for installing the wheels.
# Odoo 18 is on no package index, and $ODOO_SRC has no setup.py, so Odoo is registered the way
# an editable install of it would be: a .pth file pointing at $ODOO_SRC and an `odoo`
# distribution (dist-info) with the version of its odoo/release.py. pip then resolves the
# wheels' `odoo==18.0.*` against that Odoo, with no download. Odoo's own requirements (and
# xlsxwriter) come from the project's virtualenv, whose site-packages is put on the path
# after the fresh venv's own; the addon itself is in neither: only the wheels bring it.
make_wheel_venv() {
    local dir=$1
    rm -rf "$dir"
    "$VENV/bin/python" -m venv "$dir" || return 1
    "$dir/bin/python" - "$ODOO_SRC" "$(venv_site "$VENV/bin/python")" <<'PY'
import pathlib, re, runpy, sys, sysconfig

odoo_src, project_site = sys.argv[1:]
site = pathlib.Path(sysconfig.get_paths()["purelib"])
release = runpy.run_path(str(pathlib.Path(odoo_src, "odoo", "release.py")))
# "18.0-20241002" is, in PEP 440, the post-release 18.0.post20241002 (what its setup.py gives)
version = re.sub(r"-(\d+)$", r".post\1", release["version"])
files = {
    "odoo-src.pth": odoo_src + "\n",
    "zz-credit-project-venv.pth": project_site + "\n",
}
info = f"odoo-{release['serie']}.dist-info"
files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: odoo\nVersion: {version}\n"
files[f"{info}/INSTALLER"] = "credit_management scripts\n"
for name, text in files.items():
    (site / name).parent.mkdir(parents=True, exist_ok=True)
    (site / name).write_text(text)
record = "".join(f"{name},,\n" for name in [*files, f"{info}/RECORD"])
(site / info / "RECORD").write_text(record)
PY
}
