# shellcheck shell=bash
# Sourced by scripts/check-container and scripts/check-packages (set "check" to the script's name
# first): podman as CI runs it, and Debian base images made from this machine's apt mirror, kept by
# name (localhost/jepmd-ci/*) and remade only when their recipe changes.
#
# Environment:
#   CI=true              a missing tool fails the check instead of skipping it
#   JEPMD_CHECK_CONTAINER=skip  skip the check (refused under CI=true)
#   JEPMD_DEBIAN_MIRROR  the Debian mirror for the bases (default: bookworm's in /etc/apt/sources*)

say() { echo "$check: $*"; }
fail() {
  echo "$check: FAIL: $*" >&2
  exit 1
}
started=$SECONDS
elapsed() { echo "$((SECONDS - started)) s"; }

# Skips the check (exit 0) when a tool is missing, or fails it under CI=true.
require() { # tools...
  local tool missing=()
  if [ "${JEPMD_CHECK_CONTAINER:-}" = skip ]; then
    [ "${CI:-}" = true ] && fail "JEPMD_CHECK_CONTAINER=skip is refused under CI=true"
    say "skipped (JEPMD_CHECK_CONTAINER=skip)"
    exit 0
  fi
  for tool in podman runc debootstrap timeout sha256sum "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [ "$(id -u)" -eq 0 ] || missing+=("root (debootstrap, podman with host networking)")
  if [ ${#missing[@]} -gt 0 ]; then
    [ "${CI:-}" = true ] && fail "required under CI=true: ${missing[*]} (.ci/run installs them)"
    say "skipped: missing ${missing[*]}"
    exit 0
  fi
}

# crun rejects some cgroup layouts: runc everywhere. No CAP_SYS_RESOURCE may be had: the containers'
# limits are explicit and within the current hard ones (and nproc within podman's default, 32768,
# as runc is refused more here).
podman() { command podman --runtime runc "$@"; }
limit() { # ulimit-option at-most
  local value
  value=$(ulimit -H "$1")
  [ "$value" = unlimited ] || [ "$value" -gt "$2" ] && value=$2
  echo "$value"
}
nofile=$(limit -n 65536) nproc=$(limit -u 32768)
limits=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")

mkdir -p "target/$check"
log=target/$check/build.log
: >"$log"
# Runs a long command quietly; on failure shows the end of its output.
quietly() {
  local what=$1
  shift
  echo "=== $(date +%T) $what: $*" >>"$log"
  if ! "$@" >>"$log" 2>&1; then
    tail -n 40 "$log" >&2
    fail "$what failed (whole output: $log)"
  fi
}

# Containers started by the check are removed on exit, with the scratch directory.
containers=()
tmp=$(mktemp -d "/var/tmp/$check.XXXXXX")
remove_containers() {
  local c
  for c in "${containers[@]}"; do command podman --runtime runc rm -f -t 0 "$c" >/dev/null 2>&1; done
  rm -rf "$tmp"
}
trap remove_containers EXIT

# A loopback port below the ephemeral range with nothing listening.
free_port() {
  local candidate
  for _ in $(seq 1 100); do
    candidate=$((20000 + RANDOM % 12000))
    if ! { exec 3<>"/dev/tcp/127.0.0.1/$candidate"; } 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
    exec 3>&-
  done
  return 1
}

# ---- base images ----
# The first URI the apt sources give for a suite (one-line and deb822 formats).
apt_uri() {
  local suite=$1
  {
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk -v s="$suite" '$1 == "deb" { sub(/\[[^]]*\][ \t]*/, ""); if ($3 == s) print $2 }'
    cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
      awk -v s="$suite" 'BEGIN { RS = ""; FS = "\n" }
        { uris = ""; ok = 0
          for (i = 1; i <= NF; i++) {
            if ($i ~ /^URIs:/) { line = $i; sub(/^URIs:[ \t]*/, "", line); split(line, u, /[ \t]+/); uris = u[1] }
            if ($i ~ /^Suites:/) { n = split($i, w, /[ \t]+/); for (j = 2; j <= n; j++) if (w[j] == s) ok = 1 }
          }
          if (ok && uris != "") print uris }'
  } | head -n 1
}

has_recipe() { # image recipe-hash
  [ "$(command podman image inspect --format '{{index .Labels "org.jepmd.ci.recipe"}}' "$1" 2>/dev/null)" = "$2" ]
}

# localhost/jepmd-ci/bookworm:minbase: debootstrap's minimal bookworm, with the mirror's bookworm,
# bookworm-updates and bookworm-security in its apt sources.
os_image=localhost/jepmd-ci/bookworm:minbase
make_os_image() {
  local mirror security recipe keyring=()
  mirror=${JEPMD_DEBIAN_MIRROR:-$(apt_uri bookworm)}
  [ -n "$mirror" ] || fail "no bookworm mirror in /etc/apt/sources.list*: set JEPMD_DEBIAN_MIRROR"
  security=$(apt_uri bookworm-security)
  recipe=$(printf 'debootstrap --variant=minbase bookworm %s %s v2' "$mirror" "$security" | sha256sum | cut -c1-16)
  if has_recipe "$os_image" "$recipe"; then
    say "reusing $os_image"
    return
  fi
  say "making $os_image: debootstrap bookworm from $mirror ..."
  [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] && keyring=(--keyring=/usr/share/keyrings/debian-archive-keyring.gpg)
  quietly debootstrap debootstrap --variant=minbase "${keyring[@]}" bookworm "$tmp/root" "$mirror"
  {
    echo "deb $mirror bookworm main"
    echo "deb $mirror bookworm-updates main"
    [ -z "$security" ] || echo "deb $security bookworm-security main"
  } >"$tmp/root/etc/apt/sources.list"
  rm -rf "$tmp"/root/var/cache/apt/archives/*.deb "$tmp"/root/var/lib/apt/lists/*
  # no fsync per unpacked file in the image builds (as Docker's Debian images do)
  echo force-unsafe-io >"$tmp/root/etc/dpkg/dpkg.cfg.d/unsafe-io"
  quietly "podman import" sh -c "tar -C '$tmp/root' -c . | command podman --runtime runc import \
    --change 'LABEL org.jepmd.ci.recipe=$recipe' --change 'CMD [\"/bin/bash\"]' - $os_image"
  rm -rf "$tmp/root"
  say "made $os_image ($(elapsed))"
}

# An image FROM another with Debian packages added, trusting the machine's extra CA certificates
# (/usr/local/share/ca-certificates); with Java, its cacerts holds them too (ca-certificates-java
# builds it from them), checked by fingerprint.
derived_image() { # image from packages...
  local image=$1 from=$2 recipe context=$tmp/base-${1//[^a-z0-9]/_}
  shift 2
  mkdir -p "$context/ca"
  find /usr/local/share/ca-certificates -name '*.crt' -type f -exec cp {} "$context/ca/" \; 2>/dev/null || true
  {
    echo "FROM $from"
    echo "COPY ca/ /usr/local/share/ca-certificates/"
    cat <<EOF
RUN apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates $* >/dev/null \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \\
 && update-ca-certificates >/dev/null \\
 && if command -v keytool >/dev/null; then for crt in /usr/local/share/ca-certificates/*.crt; do [ -f "\$crt" ] || continue; \\
      sum=\$(keytool -printcert -file "\$crt" | sed -n 's/^[[:space:]]*SHA256: //p'); \\
      keytool -list -cacerts -storepass changeit | grep -q "\$sum" || { echo "\$crt is not in Java's cacerts"; exit 1; }; done; fi
EOF
  } >"$context/Containerfile"
  recipe=$( (command podman image inspect --format '{{.Id}}' "$from"; cat "$context/Containerfile" "$context"/ca/*) 2>/dev/null |
    sha256sum | cut -c1-16)
  if has_recipe "$image" "$recipe"; then
    say "reusing $image"
    return
  fi
  say "making $image: $* ..."
  quietly "podman build $image" podman build --network host --pull=never "${limits[@]}" \
    --label "org.jepmd.ci.recipe=$recipe" -t "$image" -f "$context/Containerfile" "$context"
  say "made $image ($(elapsed))"
}

# The JRE 17 image (the container image's runtime base).
runtime_image=localhost/jepmd-ci/jre17:bookworm
make_runtime_image() {
  make_os_image
  derived_image "$runtime_image" "$os_image" openjdk-17-jre-headless
}
