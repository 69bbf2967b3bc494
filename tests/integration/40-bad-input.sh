# shellcheck shell=bash
# Bad input: a clear error naming the problem, and nothing left behind.

ensure_test_image
before=$(leftovers)

expect_error() { # DESC REGEX CMD…
        local desc=$1 re=$2 out rc
        shift 2
        out=$("$@" 2>&1); rc=$?
        if [ $rc -ne 0 ] && [[ "$out" =~ $re ]]; then ok "$desc"; else not_ok "$desc" "exit $rc" "output: ${out:0:500}"; fi
}

expect_error "invalid name" "Invalid container name 'bad name'" raind container run --name 'bad name' "$RAIND_TEST_IMAGE" true
expect_error "name too long" "Invalid container name" raind container create --name "$(printf 'a%.0s' {1..200})" "$RAIND_TEST_IMAGE" true
raind container create --name dup "$RAIND_TEST_IMAGE" true >/dev/null
expect_error "duplicate name" "already in use" raind container create --name dup "$RAIND_TEST_IMAGE" true
raind container rm dup >/dev/null
expect_error "unknown image (--pull never)" "No such image: nosuch:latest" raind container run --pull never nosuch true
# Not here: run pulls it first, like docker; a registry that is not there fails the run, exit 125.
out=$(raind container run --name from-nowhere 127.0.0.1:1/nosuch true 2>&1); rc=$?
check_eq "run of an image that cannot be pulled exits 125" 125 "$rc"
check_match "it says it tried to pull, and why that failed" \
        "Unable to find image '127.0.0.1:1/nosuch' locally.*Cannot pull 127.0.0.1:1/nosuch.*(onnect|refused)" "$(tr '\n' ' ' <<<"$out")"
check_no_match "and created no container" "from-nowhere" "$(raind container ls -a)"
expect_error "malformed --memory" "memory.*12x" raind container run --memory 12x "$RAIND_TEST_IMAGE" true
expect_error "malformed --cpus" "cpus.*lots" raind container run --cpus lots "$RAIND_TEST_IMAGE" true
expect_error "malformed --pids-limit" "pids-limit.*-5" raind container run --pids-limit -5 "$RAIND_TEST_IMAGE" true
expect_error "unknown capability" "capability.*FLY" raind container run --cap-add FLY "$RAIND_TEST_IMAGE" true
expect_error "missing volume source" "/nonexistent" raind container run -v /nonexistent:/data "$RAIND_TEST_IMAGE" true
expect_error "relative volume target" "volume" raind container run -v /tmp:data "$RAIND_TEST_IMAGE" true
expect_error "unknown network mode" "network" raind container run --network bridge0 "$RAIND_TEST_IMAGE" true

out=$(raind container run --name nocmd "$RAIND_TEST_IMAGE" /no/such/binary 2>&1); rc=$?
check_eq "a command missing from the image exits 127" 127 "$rc"
check_match "and says it was not found" "/no/such/binary.*(not found|[Nn]o such file)" "$out"
check_fails "the failed run left no container" raind container inspect nocmd
# The shim may log just after it reported: wait for the entry rather than for a moment.
wait_until 5 sh -c "journalctl --sync; journalctl -q -o export -t raind-shim | grep -q '^RAIND_CONTAINER_ID_FULL='"
check_match "raind-shim's own diagnostics name the container (RAIND_CONTAINER_ID_FULL)" \
        "RAIND_CONTAINER_ID_FULL=[0-9a-f]{64}" "$(journalctl -q -o export -t raind-shim | grep '^RAIND_CONTAINER_ID_FULL=' | tail -1)"
out=$(raind container run "$RAIND_TEST_IMAGE" nosuchcmd 2>&1); rc=$?
check_eq "a command not in \$PATH exits 127" 127 "$rc"
check_match "and says executable file not found" 'executable file not found in \$PATH' "$out"
out=$(raind container run "$RAIND_TEST_IMAGE" /etc/passwd 2>&1); rc=$?
check_eq "a file that is not executable exits 126" 126 "$rc"
check_match "busybox on the host is not used for exec" "." "$out"

# Corrupt and malicious tarballs.
evil=/tmp/evil
mkdir -p "$evil"
python3 "$TESTS_DIR/lib/mktar-evil.py" "$evil" >/dev/null
expect_error "a corrupt tarball is refused" "Cannot import" raind image import "$evil/corrupt.tar.gz" bad:corrupt
expect_error "random bytes are refused" "Cannot import" raind image import "$evil/notatar.bin" bad:random
expect_error "an entry with ../ is refused and named" "\.\./evil" raind image import "$evil/dotdot.tar" bad:dotdot
check_fails "nothing was written outside the root by ../" test -e /var/lib/raind/evil
rm -rf /tmp/raind-evil-target; mkdir -p /tmp/raind-evil-target
raind image import "$evil/abs-symlink-escape.tar" bad:symlink >/dev/null 2>&1
check_fails "a symlink in the archive does not lead writes out of the root" test -e /tmp/raind-evil-target/pwned
cp /etc/passwd /tmp/passwd.before
raind image import "$evil/hardlink-out.tar" bad:hardlink >/dev/null 2>&1
check "a hardlink to outside does not touch /etc/passwd" cmp -s /etc/passwd /tmp/passwd.before
expect_error "a missing tarball file is named" "/nonexistent.tar" raind image import /nonexistent.tar x:y
expect_error "an invalid reference is refused" "reference" raind image import "$evil/dotdot.tar" 'Bad Ref'
check_no_match "no refused tarball became an image" "bad +(corrupt|random|dotdot)" "$(raind image ls)"
raind image rm -f bad:symlink bad:hardlink >/dev/null 2>&1

# Image in use.
raind container create --name user "$RAIND_TEST_IMAGE" true >/dev/null
expect_error "removing an image a container uses is refused" "used by a container" raind image rm "$RAIND_TEST_IMAGE"
raind container rm user >/dev/null

check_eq "nothing is left behind after all the refusals" "$before" "$(leftovers)"
