# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# A real registry on loopback for tests and the bench: source this file, then
#
#   registry_start DIR [--htpasswd USER:PASS] [--tls CERT KEY]
#       Starts Debian's docker-registry on 127.0.0.1 on a free port, its config, storage and log under
#       DIR (created if missing), and waits until /v2/ answers. Sets REGISTRY_PORT, REGISTRY_PID,
#       REGISTRY (127.0.0.1:PORT) and, with --htpasswd, REGISTRY_CREDS=USER:PASS: then every request
#       needs HTTP basic auth (bcrypt htpasswd file, made with apache2-utils' htpasswd), over plain http.
#       With --tls it speaks HTTPS only, with that certificate and key (PEM).
#   registry_stop
#       Stops the registry started last, by its PID, and waits until it is gone. DIR stays (the caller's).
#   registry_push_layout DIR TAG REF [--all]
#       skopeo copy oci:DIR:TAG docker://REF (REF like 127.0.0.1:PORT/name:tag), with REGISTRY_CREDS
#       if set; --all pushes a whole image index (multi-arch) instead of the host's image.
#
# Safe under set -eu. Functions return non-zero with one line on stderr when something fails. Packages: docker-registry,
# skopeo, curl, python3, apache2-utils (all in tests/deps.sh).

# Prints a TCP port on 127.0.0.1 that nothing listens on right now.
registry_free_port() {
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# registry_wait_http URL [SECONDS]: until anything answers with an HTTP status (401 counts).
registry_wait_http() {
        local url=$1 tries=$((${2:-10} * 20)) code
        while [ "$tries" -gt 0 ]; do
                code=$(curl -s -k -o /dev/null -w '%{http_code}' --max-time 1 "$url" 2>/dev/null) || true
                [ -n "$code" ] && [ "$code" != 000 ] && return 0
                tries=$((tries - 1))
                sleep 0.05
        done
        return 1
}

registry_start() {
        local dir=${1:?usage: registry_start DIR [--htpasswd USER:PASS]}
        local creds="" auth="" tls="" scheme=http attempt pid port
        shift
        while [ $# -gt 0 ]; do
                case $1 in
                --htpasswd) creds=${2:?--htpasswd needs USER:PASS}; shift 2 ;;
                --tls)
                        tls="  tls:
    certificate: ${2:?--tls needs CERT KEY}
    key: ${3:?--tls needs CERT KEY}"
                        scheme=https
                        shift 3
                        ;;
                *) echo "registry_start: unknown option $1" >&2; return 2 ;;
                esac
        done
        if [ -n "${REGISTRY_PID:-}" ] && kill -0 "$REGISTRY_PID" 2>/dev/null; then
                echo "registry_start: a registry is running already (PID $REGISTRY_PID); registry_stop first" >&2
                return 1
        fi
        command -v docker-registry >/dev/null ||
                { echo "registry_start: docker-registry is not installed" >&2; return 1; }
        mkdir -p "$dir/storage" || return 1
        dir=$(cd "$dir" && pwd)
        if [ -n "$creds" ]; then
                [[ $creds == ?*:?* ]] || { echo "registry_start: --htpasswd wants USER:PASS" >&2; return 2; }
                command -v htpasswd >/dev/null ||
                        { echo "registry_start: htpasswd missing (apache2-utils)" >&2; return 1; }
                # -B: bcrypt, the only hash docker-registry accepts; -i: the password from stdin, not argv.
                htpasswd -B -i -c "$dir/htpasswd" "${creds%%:*}" <<<"${creds#*:}" 2>/dev/null ||
                        { echo "registry_start: htpasswd failed" >&2; return 1; }
                auth="auth:
  htpasswd:
    realm: raind-test
    path: $dir/htpasswd"
        fi
        # A free port can be taken between the probe and the bind: try a few.
        for attempt in 1 2 3 4 5; do
                port=$(registry_free_port) || return 1
                cat >"$dir/config.yml" <<EOC
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: raind-test
$tls
$auth
EOC
                docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
                pid=$!
                if registry_wait_http "$scheme://127.0.0.1:$port/v2/" 10 && kill -0 "$pid" 2>/dev/null; then
                        REGISTRY_PORT=$port
                        REGISTRY_PID=$pid
                        REGISTRY=127.0.0.1:$port
                        REGISTRY_CREDS=$creds
                        export REGISTRY_PORT REGISTRY_PID REGISTRY REGISTRY_CREDS
                        return 0
                fi
                kill "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
                grep -q 'address already in use' "$dir/registry.log" || break
        done
        echo "registry_start: docker-registry did not answer on 127.0.0.1:$port (attempt $attempt):" \
                "$(tail -n 3 "$dir/registry.log" | tr '\n' ' ')" >&2
        return 1
}

registry_stop() {
        local pid=${REGISTRY_PID:-} _
        [ -n "$pid" ] || return 0
        if kill "$pid" 2>/dev/null; then
                # wait(1) only knows our own children; a registry started by another shell is polled.
                wait "$pid" 2>/dev/null || true
                for _ in $(seq 100); do
                        kill -0 "$pid" 2>/dev/null || break
                        sleep 0.05
                done
                if kill -0 "$pid" 2>/dev/null; then
                        kill -KILL "$pid" 2>/dev/null || true
                fi
        fi
        unset REGISTRY_PID REGISTRY_PORT REGISTRY REGISTRY_CREDS
        return 0
}

registry_push_layout() {
        local dir=${1:?usage: registry_push_layout DIR TAG REF [--all]} tag=${2:?TAG missing} ref=${3:?REF missing}
        local args=(copy -q --dest-tls-verify=false)
        shift 3
        while [ $# -gt 0 ]; do
                case $1 in
                --all) args+=(--all); shift ;;
                *) echo "registry_push_layout: unknown option $1" >&2; return 2 ;;
                esac
        done
        [ -n "${REGISTRY_CREDS:-}" ] && args+=(--dest-creds "$REGISTRY_CREDS")
        skopeo "${args[@]}" "oci:$dir:$tag" "docker://${ref#docker://}"
}
