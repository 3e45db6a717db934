#!/bin/bash
# meetingsec: install or upgrade from this release folder, with no network at all.
#
#   sudo ./install.sh [--with-postgresql] [--with-redis] [--prefix /opt/meetingsec]
#
# 1. Checks every file of the release against SHA256SUMS (a changed, missing or added file
#    refuses the install and is named). Compare SHA256SUMS's own SHA-256 with the one the
#    release came with (sbom.cdx.json and the tarball's .sha256 file).
# 2. Installs the Debian packages of debs/ (and debs-optional/ when asked) with dpkg.
# 3. Creates the `meetingsec` user, the release folder <prefix>/releases/<version> (owned by
#    root, read-only to the app), its virtual environment from wheelhouse/ only (--no-index,
#    hashes required), the instance folder <prefix>/instance (0700), the settings file
#    /etc/meetingsec/meetingsec.env (kept if present) and the systemd units.
# 4. A first install creates the database; an upgrade first backs it up (flask backup with
#    the running release), then points <prefix>/current at the new release, migrates and
#    verifies the audit chain. If any of that fails it restores the backup and points
#    `current` back at the previous release.
set -euo pipefail
umask 022

prefix=/opt/meetingsec
etc=/etc/meetingsec
extras=()
while [ $# -gt 0 ]; do
  case "$1" in
    --with-postgresql) extras+=(postgresql) ;;
    --with-redis) extras+=(redis) ;;
    --prefix) prefix=$2; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

say() { printf 'meetingsec: %s\n' "$*"; }
die() { printf 'meetingsec: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root: sudo ./install.sh"
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

# --- 1. The release is what SHA256SUMS says, byte for byte, and nothing more ----------
[ -f SHA256SUMS ] || die "SHA256SUMS is missing: this is not a meetingsec release folder"
say "checking every file against SHA256SUMS"
failed=$(sha256sum --check --strict --quiet SHA256SUMS 2>/dev/null | sed -n 's/: FAILED.*$//p' || true)
if ! sha256sum --check --strict --status SHA256SUMS 2>/dev/null; then
  sha256sum --check --strict SHA256SUMS 2>&1 | grep -v ': OK$' | sed 's/^/  /' >&2 || true
  die "REFUSED: files differ from SHA256SUMS${failed:+ (changed: $(echo $failed | tr '\n' ' '))}; nothing was installed"
fi
extra=$(comm -13 <(sed 's/^[0-9a-f]*  //' SHA256SUMS | LC_ALL=C sort) \
                 <(find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort))
if [ -n "$extra" ]; then
  die "REFUSED: files not in SHA256SUMS: $(echo $extra); nothing was installed"
fi
if find . -type l | grep -q .; then
  die "REFUSED: a release holds no symbolic links: $(find . -type l | tr '\n' ' ')"
fi

json() { sed -n "s/^ *\"$1\": \"\\{0,1\\}\\([^\",]*\\)\"\\{0,1\\},\\{0,1\\}$/\\1/p" RELEASE.json; }
version=$(json version)
commit=$(json commit)
[[ "$version" =~ ^[0-9A-Za-z.+~-]+$ ]] || die "RELEASE.json names no version"
say "release $version (commit ${commit:0:12}) verified"

# --- 2. Debian packages ------------------------------------------------------------------
debs=(debs/*.deb)
for extra in "${extras[@]}"; do
  debs+=("debs-optional/$extra"/*.deb)
done
# Only what is missing or older here (a server with newer updates keeps its own). apt
# installs local files in the right order (Pre-Depends) and downloads nothing.
needed=()
for deb in "${debs[@]}"; do
  read -r pkg ver < <(dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb")
  have=$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$pkg" 2>/dev/null || true)
  if [[ "$have" == ii* ]] && dpkg --compare-versions "${have##* }" ge "$ver"; then
    continue
  fi
  needed+=("$here/$deb")
done
if [ ${#needed[@]} -gt 0 ]; then
  say "installing ${#needed[@]} of the release's ${#debs[@]} Debian packages (apt, no download)"
  # apt sees only these files: no source of the server's (none is reachable from the LAN)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=/dev/null/none \
      -o Dpkg::Options::=--force-confold "${needed[@]}" >/dev/null \
    || die "installing the Debian packages failed (see above)"
else
  say "the ${#debs[@]} Debian packages of the release are installed already"
fi

# --- 3. The user, the release folder, the venv, the settings, the units ------------------
if ! getent passwd meetingsec >/dev/null; then
  useradd --system --user-group --home-dir "$prefix" --no-create-home \
          --shell /usr/sbin/nologin meetingsec
  say "created the system user meetingsec"
fi
install -d -o root -g root -m 755 "$prefix" "$prefix/releases"
install -d -o meetingsec -g meetingsec -m 700 "$prefix/instance"
chown meetingsec:meetingsec "$prefix/instance" && chmod 700 "$prefix/instance"

release="$prefix/releases/$version"
previous=$(readlink "$prefix/current" 2>/dev/null || true)
if [ "$previous" = "$release" ] && [ -f "$release/INSTALLED.sha256" ] \
   && cmp -s "$release/SHA256SUMS" SHA256SUMS; then
  say "release $version is already installed and current: nothing to do"
  say "(check it with: sudo -u meetingsec $prefix/current/.venv/bin/flask selfcheck)"
  exit 0
fi
[ "$previous" = "$release" ] && die "release $version is current but differs from this folder; give the new release a new version"

# Built where it stays (a venv's scripts name its path); `current` moves only at the end.
rm -rf "$release"
say "copying the application into $release"
cp -R app "$release"
cp RELEASE.json SHA256SUMS sbom.cdx.json "$release/"
if [ -f "../meetingsec-$version-debian12-amd64.tar.gz" ]; then
  sha256sum "../meetingsec-$version-debian12-amd64.tar.gz" | cut -d' ' -f1 > "$release/TARBALL.sha256"
fi
say "creating the virtual environment from wheelhouse/ (no index, hashes required)"
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_CONSTRAINT PIP_REQUIREMENT
export PIP_CONFIG_FILE=/dev/null
python3 -m venv "$release/.venv"
"$release/.venv/bin/pip" install --quiet --no-index --no-cache-dir --disable-pip-version-check \
    --find-links "$here/wheelhouse" --require-hashes -r "$release/release/requirements.txt"
# The app runs from the release folder: the venv finds it there (like `pip install -e`).
site=$("$release/.venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$release" > "$site/meetingsec-release.pth"
"$release/.venv/bin/python" -m compileall -q "$release/meetingsec" "$release/migrations" "$release/wsgi.py" >/dev/null
# The manifest of what install made (venv, bytecode); selfcheck compares with it and with
# SHA256SUMS. Written before anything runs; every file stays root's.
( cd "$release" && .venv/bin/python -m meetingsec.about.manifest write )
chown -R root:root "$release"
chmod -R u+rwX,go+rX,go-w "$release"

install -d -m 755 "$etc"
if [ ! -f "$etc/meetingsec.env" ]; then
  install -m 640 -o root -g meetingsec "$release/deploy/meetingsec.env" "$etc/meetingsec.env"
  say "wrote $etc/meetingsec.env (root-owned settings; edit it for PostgreSQL, Redis, the pinned key)"
fi

install -d -m 755 /etc/systemd/system
for unit in "$release"/deploy/meetingsec-*.service "$release"/deploy/meetingsec-*.timer; do
  # The units of deploy/ name /opt/meetingsec; here the code is <prefix>/current.
  sed -e "s#^WorkingDirectory=/opt/meetingsec\$#WorkingDirectory=$prefix/current#" \
      -e "s#/opt/meetingsec/\\.venv/#$prefix/current/.venv/#g" \
      -e "s#/opt/meetingsec/instance#$prefix/instance#g" \
      "$unit" > "/etc/systemd/system/$(basename "$unit")"
done
systemd_running() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null; }

# flask as the meetingsec user with the settings file, from a release folder
flask_in() {
  local dir=$1; shift
  ( set -a; . "$etc/meetingsec.env"; set +a
    cd "$dir" && umask 077 && runuser -u meetingsec -- env \
      FLASK_APP=meetingsec:create_app MEETINGSEC_INSTANCE_PATH="$prefix/instance" \
      ${MEETINGSEC_SQLALCHEMY_DATABASE_URI:+MEETINGSEC_SQLALCHEMY_DATABASE_URI="$MEETINGSEC_SQLALCHEMY_DATABASE_URI"} \
      ${MEETINGSEC_SECRET_KEY:+MEETINGSEC_SECRET_KEY="$MEETINGSEC_SECRET_KEY"} \
      ${MEETINGSEC_HUEY_REDIS_URL:+MEETINGSEC_HUEY_REDIS_URL="$MEETINGSEC_HUEY_REDIS_URL"} \
      ${MEETINGSEC_AUDIT_PUBLIC_KEY:+MEETINGSEC_AUDIT_PUBLIC_KEY="$MEETINGSEC_AUDIT_PUBLIC_KEY"} \
      "$dir/.venv/bin/flask" "$@" )
}
point_current() {
  ln -sfn "$1" "$prefix/.current.new"
  mv -T "$prefix/.current.new" "$prefix/current"
}
services=(meetingsec-web meetingsec-worker)

# --- 4. First install, or upgrade with a backup and a way back ---------------------------
if [ -n "$previous" ] && [ -d "$previous" ]; then
  say "upgrading $(basename "$previous") -> $version"
  if systemd_running; then systemctl stop "${services[@]}" || true; fi
  backup_dir="$prefix/instance/backups/before-$version-$(date -u +%Y%m%dT%H%M%SZ)"
  say "backup first: flask backup --to $backup_dir"
  if ! flask_in "$previous" backup --to "$backup_dir"; then
    if systemd_running; then systemctl start "${services[@]}" || true; fi
    rm -rf "$release"
    die "the backup failed: nothing was changed, $(basename "$previous") stays current"
  fi
  point_current "$release"
  if flask_in "$release" db upgrade && flask_in "$release" audit verify; then
    say "migrated and the audit chain verifies"
  else
    say "the upgrade FAILED: restoring the backup and going back to $(basename "$previous")" >&2
    point_current "$previous"
    flask_in "$previous" restore --yes "$backup_dir" \
      || die "restoring $backup_dir failed too: restore it by hand (README, Backups)"
    rm -rf "$release"
    if systemd_running; then systemctl daemon-reload; systemctl start "${services[@]}" || true; fi
    die "upgrade to $version rolled back: $(basename "$previous") is current again, its data restored"
  fi
else
  point_current "$release"
  say "creating the database (flask db upgrade)"
  flask_in "$release" db upgrade
fi

if systemd_running; then
  systemctl daemon-reload
  systemctl enable meetingsec-worker meetingsec-backup.timer meetingsec-web >/dev/null
  systemctl restart meetingsec-worker
  systemctl start meetingsec-backup.timer
  if [ -f "$prefix/instance/tls/server.crt" ]; then
    systemctl restart meetingsec-web
  else
    say "meetingsec-web starts once the server has its certificate (step 2 below)"
  fi
else
  say "systemd is not running here (a chroot or a container): units written to /etc/systemd/system, not enabled or started"
fi

cat <<EOF

meetingsec $version is installed in $release ($prefix/current).
Check it against its release at any time:   sudo -u meetingsec $prefix/current/.venv/bin/flask selfcheck
(run these from $prefix/current, with the settings:  set -a; . $etc/meetingsec.env; set +a)

Next steps (a first install; README, "Deploying on an agency LAN"):
 1. The first administrator (asks for a password of 12 characters at least):
      cd $prefix/current && sudo -u meetingsec env \$(grep -v '^#' $etc/meetingsec.env) \\
          .venv/bin/flask users create --username admin --full-name "Nguyễn Văn A" --role admin
 2. HTTPS for the tablets: a certificate of the agency at $prefix/instance/tls/server.{crt,key}, or
      sudo -u meetingsec env \$(grep -v '^#' $etc/meetingsec.env) .venv/bin/flask tls init --host <server address>
    then: systemctl restart meetingsec-web
 3. Pin the audit log's signing key in the root-owned settings and keep its fingerprint on paper:
      sudo -u meetingsec env \$(grep -v '^#' $etc/meetingsec.env) .venv/bin/flask audit public-key | tee -a $etc/meetingsec.env
      systemctl restart meetingsec-web meetingsec-worker
EOF
