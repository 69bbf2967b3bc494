# shellcheck shell=bash
# Registry pulls and pushes against a real registry (Debian's docker-registry on loopback, images placed
# by skopeo), the content store they fill, crash safety, credentials, rm and prune.

# shellcheck source-path=SCRIPTDIR source=../lib/registry.sh
. "$TESTS_DIR/lib/registry.sh"

events_since=$(date '+%Y-%m-%d %H:%M:%S')
work=/tmp/raind-itest-registry
store=/var/lib/raind
rm -rf "$work"
mkdir -p "$work"
PROXY_PIDS=()
cleanup_registry_test() {
        local pid
        for pid in "${PROXY_PIDS[@]}"; do
                kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
        done
        registry_stop
        rm -rf "$work"
}
trap cleanup_registry_test EXIT

# proxy_start NAME RATE — slow-proxy.py in front of $REGISTRY; sets PROXY (127.0.0.1:PORT) and logs every
# request to $work/NAME.log.
proxy_start() {
        local name=$1 rate=$2
        python3 "$TESTS_DIR/lib/slow-proxy.py" "$REGISTRY" "$work/$name.port" --rate "$rate" \
                --log "$work/$name.log" &
        PROXY_PIDS+=($!)
        wait_until 10 test -s "$work/$name.port" || return 1
        PROXY=127.0.0.1:$(cat "$work/$name.port")
}

# blob_gets LOG DIGEST — how many GETs of the blob were answered with its content (200 or 206).
blob_gets() {
        grep -cE "^GET /v2/.*/blobs/$2 range=.* status=20[06]" "$1"
}


raindd_pid() {
        systemctl show -p MainPID --value raindd
}

ensure_test_image
remove_all_containers
before_leftovers=$(leftovers)

# Not through check: registry_start sets REGISTRY here. Without a registry nothing below means anything.
registry_start "$work/reg" || exit 1
bb=$work/busybox.tar.gz
"$TESTS_DIR/lib/mkimage-busybox.sh" "$bb" >/dev/null
layers=$TESTS_DIR/lib/mkimage-layers.py

# 1. busybox pushed by skopeo, as Docker schema2 and as OCI.
for format in v2s2 oci; do
        ref=$REGISTRY/test/busybox:$format
        skopeo copy -q --dest-tls-verify=false --format "$format" "tarball:$bb" "docker://$ref"
        digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$ref")
        mt=application/vnd.oci.image.manifest.v1+json
        [ "$format" = v2s2 ] && mt=application/vnd.docker.distribution.manifest.v2+json
        check "pull of a $format image pushed by skopeo" raind image pull "$ref"
        check_eq "the $format image runs" "hi from $format" "$(raind run --rm "$ref" echo hi from "$format" 2>&1)"
        check_match "inspect's RepoDigests has the registry's manifest digest (skopeo inspect) for $format" \
                "(^| )$REGISTRY/test/busybox@$digest( |\$)" "$(image_json "$ref" '.RepoDigests | join(" ")')"
        check_eq "inspect shows the $format manifest just pulled" "$mt $digest" \
                "$(image_json "$ref" '.Manifest.mediaType + " " + .Manifest.digest')"
done
# skopeo gives both the same config: one image, reached through two manifests.
check_eq "the same image pulled by a second manifest leaves no orphan blob (the first manifest stays owned)" \
        "" "$(store_orphans)"
raind image rm -f "$(image_json "$REGISTRY/test/busybox:oci" .Id)" >/dev/null 2>&1
# One manifest only from here on; its layer blob (skopeo's gzip of the busybox tarball) stays in the
# store while the multilayer image, with the same diff_id in another blob, is pulled.
raind image pull -q "$REGISTRY/test/busybox:v2s2" >/dev/null 2>&1

# 2. The multilayer image: config, whiteouts, opaque directories, StopSignal, history.
proxy_start fast 1G || exit 1
python3 "$layers" multilayer "$bb" "$work/multilayer" >/dev/null
registry_push_layout "$work/multilayer" latest "$REGISTRY/test/multilayer:1"
ml=$PROXY/test/multilayer:1
check "pull of the multilayer image" raind image pull "$ml"
check_eq "run without a command: Entrypoint + Cmd" "hello from config" "$(raind run --rm "$ml" 2>&1)"
check_eq "Env, WorkingDir and User from the config" "bar /data 1000:1000" \
        "$(raind run --rm "$ml" 'echo $FOO $(pwd) $(id -u):$(id -g)' 2>&1)"
check_eq "whiteout: /data/a is gone, /data/b is there" "b" "$(raind run --rm "$ml" 'ls /data' 2>&1)"
check_eq "opaque directory: /keep holds only new" "new" "$(raind run --rm "$ml" 'ls -A /keep' 2>&1)"
check_eq "inspect: ExposedPorts" '["8080/tcp"]' "$(image_json "$ml" '.Config.ExposedPorts | keys | tojson')"
check_eq "inspect: Labels" "yes" "$(image_json "$ml" '.Config.Labels["org.raind.test"]')"
check_eq "inspect: StopSignal" "SIGUSR1" "$(image_json "$ml" '.Config.StopSignal')"
check_eq "inspect: three layers" "3" "$(image_json "$ml" '.RootFS.Layers | length')"
raind run -d --name sigtest "$ml" 'trap "echo got USR1; exit 0" USR1; echo ready; while :; do sleep 0.1; done' >/dev/null
wait_until 10 sh -c 'raind logs sigtest 2>/dev/null | grep -q ready'
start=$SECONDS
raind stop sigtest >/dev/null 2>&1
check_match "stop sends the image's StopSignal (SIGUSR1, trapped by the container)" "got USR1" "$(raind logs sigtest 2>&1)"
check "and the container ended on it, well before stop's timeout" test $((SECONDS - start)) -lt 8
raind rm -f sigtest >/dev/null 2>&1
# The container carries the image's labels and ports, with the creator's on top.
raind create --name meta -l org.raind.test=overridden -l extra=1 --expose 53/udp "$ml" true >/dev/null
meta=$(raind container inspect meta 2>&1)
check_eq "container labels: the image's, overridden by --label, plus new ones" \
        '["extra=1","org.raind.test=overridden"]' "$(jq -c '.[0].Labels | sort' <<<"$meta")"
check_eq "container ports: the image's and --expose" '["53/udp","8080/tcp"]' \
        "$(jq -c '.[0].ExposedPorts | sort' <<<"$meta")"
check_eq "container StopSignal from the image" "SIGUSR1" "$(jq -r '.[0].StopSignal' <<<"$meta")"
raind rm meta >/dev/null 2>&1
check_eq "--stop-signal overrides the image's" "SIGINT" \
        "$(raind create --name meta2 --stop-signal SIGINT "$ml" true >/dev/null && raind container inspect meta2 | jq -r '.[0].StopSignal')"
raind rm meta2 >/dev/null 2>&1
check_eq "a user name is resolved in the image's /etc/passwd (busybox: nobody is 65534)" "65534" \
        "$(raind run --rm -u nobody --entrypoint id "$ml" -u 2>&1)"
check_match "an unknown user name is refused, naming it" "unable to find user nosuchuser" \
        "$(raind run --rm -u nosuchuser "$ml" 2>&1)"
check_eq "--entrypoint replaces the image's, and its Cmd" "plain" "$(raind run --rm --entrypoint echo "$ml" plain 2>&1)"
history=$(raind image history --no-trunc "$ml" 2>&1)
check_match "history lists the first layer's created_by" "ADD file:busybox-rootfs" "$history"
check_match "history lists the empty ENV step" "ENV FOO=bar" "$history"
check_match "history lists the whiteout step" "rm /data/a" "$history"
check_match "history shows the comment" "whiteout and opaque directory" "$history"

# 3. Layers shared between images: fetched once, stored once.
python3 "$layers" multiarch "$bb" "$work/multiarch" >/dev/null
registry_push_layout "$work/multiarch" latest "$REGISTRY/test/multiarch:1" --all
index_digest=sha256:$(skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/test/multiarch:1" | sha256sum | cut -d' ' -f1)
manifest_of() { # LAYOUT: its image manifest (the first of an index)
        local top
        top=$(jq -r '.manifests[0].digest' "$1/index.json" | cut -c8-)
        if [ "$(jq -r .mediaType "$1/blobs/sha256/$top")" = application/vnd.oci.image.index.v1+json ]; then
                top=$(jq -r '.manifests[0].digest' "$1/blobs/sha256/$top" | cut -c8-)
        fi
        cat "$1/blobs/sha256/$top"
}
base_blob=$(manifest_of "$work/multilayer" | jq -r '.layers[0].digest')
ma=$PROXY/test/multiarch:1
out=$(raind image pull "$ma" 2>&1); rc=$?
check_eq "pull of the multi-arch image (host platform)" 0 "$rc"
# The line names whichever blob of that diff_id the store holds.
check_eq "the busybox layer it shares with the multilayer image 'Already exists', the other is pulled" \
        "1 1" "$(grep -c ': Already exists' <<<"$out") $(grep -c ': Pull complete' <<<"$out")"
# Zero when the layer's diff_id was already here from another blob (the imported busybox), else one.
check "the shared layer blob was fetched from the registry at most once by the two pulls" \
        test "$(blob_gets "$work/fast.log" "$base_blob")" -le 1
check_eq "both images name the same layer" "$(image_json "$ml" '.RootFS.Layers[0]')" \
        "$(image_json "$ma" '.RootFS.Layers[0]')"
for img in "$ml" "$ma"; do
        mdigest=$(image_json "$img" .Manifest.digest)
        check_eq "LayerBlobs of $img are the layers of its stored manifest (what a push or save sends)" \
                "$(jq -r '[.layers[].digest] | join(" ")' "$store/blobs/sha256/${mdigest#sha256:}" 2>&1)" \
                "$(image_json "$img" '[.LayerBlobs[].digest] | join(" ")')"
done
ndiff=$(cat "$store"/images/*.json | jq -r '.layers[].diffID' | sort -u | wc -l)
check_eq "the store has one layer directory per distinct diff_id" "$ndiff" "$(ls "$store/layers" | wc -l)"
check_eq "the store is consistent (no orphan or missing blob or layer)" "" "$(store_orphans)"

# 4. Multi-arch index: host default, --platform, digest reference.
host_arch=$(python3 -c 'import platform; print({"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine()))')
check_eq "default pull of an index gives the host's architecture" "$host_arch" "$(raind run --rm "$ma" 2>&1)"
check_eq "inspect Architecture of the default pull" "$host_arch" "$(image_json "$ma" .Architecture)"
other=arm64
[ "$host_arch" = arm64 ] && other=s390x
check "pull --platform linux/$other" raind image pull --platform "linux/$other" "$ma"
check_eq "inspect Architecture after --platform linux/$other" "$other" "$(image_json "$ma" .Architecture)"
top=$(image_json "$ma" '.RootFS.Layers[-1]')
check_eq "the $other layer holds /arch = $other" "$other" "$(cat "$store/layers/${top#sha256:}/diff/arch" 2>&1)"
byd=$PROXY/test/multiarch@$index_digest
check "pull by the index's digest" raind image pull "$byd"
check_eq "the digest reference runs the host's image" "$host_arch" "$(raind run --rm "$byd" 2>&1)"
check_match "its RepoDigests name the index digest" "test/multiarch@$index_digest" "$(image_json "$byd" '.RepoDigests[]')"
out=$(raind image pull --platform "linux/$other" "$REGISTRY/test/busybox:v2s2" 2>&1); rc=$?
check_eq "--platform that a single-platform image is not for fails" 1 "$rc"
check_match "naming both platforms" "image is for linux/$host_arch, not linux/$other" "$out"

# 5. A blob whose content does not match its digest.
python3 "$layers" big 1 "$work/corrupt" >/dev/null
registry_push_layout "$work/corrupt" latest "$REGISTRY/test/corrupt:1"
bad=$(manifest_of "$work/corrupt" | jq -r '.layers[0].digest')
data=$work/reg/storage/docker/registry/v2/blobs/sha256/${bad:7:2}/${bad:7}/data
size=$(stat -c %s "$data")
head -c "$size" /dev/urandom >"$data.new" && mv "$data.new" "$data"
snap=$(store_snapshot)
out=$(raind image pull "$REGISTRY/test/corrupt:1" 2>&1); rc=$?
check_fails "a pull with a corrupt blob fails" test "$rc" -eq 0
check_match "and the error names the digest" "${bad#sha256:}|${bad:7:12}" "$out"
check_fails "no image was made" raind image inspect "$REGISTRY/test/corrupt:1"
check_eq "the store is as before (images, blobs, layers, downloads, tmp)" "" "$(store_changes "$snap")"
check_fails "no download of the bad blob is kept" test -e "$store/downloads/${bad#sha256:}"

# 6. Evil layers.
sum_before=$(sha256sum /etc/passwd)
for kind in dotdot abs-symlink hardlink-out; do
        python3 "$layers" evil "$kind" "$work/evil-$kind" --base "$bb" >/dev/null
        registry_push_layout "$work/evil-$kind" latest "$REGISTRY/test/evil-$kind:1"
        snap=$(store_snapshot)
        if raind image pull "$REGISTRY/test/evil-$kind:1" >"$work/evil.out" 2>&1; then
                check_eq "evil $kind: the pull succeeded, so the store must stay consistent" "" "$(store_orphans)"
                raind image rm "$REGISTRY/test/evil-$kind:1" >/dev/null 2>&1
        else
                check_eq "evil $kind: refused, and no trace in the store" "" "$(store_changes "$snap")"
                check_match "evil $kind: the error says what was wrong" "\.\./|symlink|link|outside|escape" \
                        "$(cat "$work/evil.out")"
        fi
done
check_fails "dotdot: nothing escaped to /escaped" test -e /escaped
check_fails "dotdot: nothing escaped into the store root" test -e "$store/escaped"
check_fails "dotdot: nothing escaped into layers/" test -e "$store/layers/escaped"
check_fails "abs-symlink: /etc/evil was not written" test -e /etc/evil
check_eq "hardlink-out: /etc/passwd is unchanged" "$sum_before" "$(sha256sum /etc/passwd)"
check_eq "the store is consistent after the evil pulls" "" "$(store_orphans)"

# 7. Crash safety: raindd killed in the middle of a big download, then a resumed pull.
python3 "$layers" big 60 "$work/big" --base "$bb" >/dev/null
registry_push_layout "$work/big" latest "$REGISTRY/test/big:1"
big_blob=$(manifest_of "$work/big" | jq -r '.layers[-1].digest')
proxy_start slow 5M || exit 1
big=$PROXY/test/big:1
raind image pull "$big" >"$work/big-pull1.out" 2>&1 &
puller=$!
if wait_until 30 sh -c "find $store/downloads -type f -size +2M | grep -q ."; then
        ok "the big layer is being downloaded into downloads/"
else
        not_ok "the big layer is being downloaded into downloads/" "$(ls -la "$store/downloads")"
fi
old_pid=$(raindd_pid)
systemctl kill -s KILL raindd
wait_until 10 sh -c "! kill -0 $old_pid" 
wait "$puller"; rc=$?
check_fails "the pull whose daemon was killed fails" test "$rc" -eq 0
check "raind image ls works after the crash (bus activation restarts raindd)" raind image ls
check_fails "raindd is a new process" test "$(raindd_pid)" = "$old_pid"
check_eq "no job worker survived the crash" "" "$(image_workers)"
check "the pull again completes" raind image pull "$big"
check_match "the second pull resumed the big blob with a Range request" \
        "GET /v2/test/big/blobs/$big_blob range=bytes=[1-9][0-9]*-" "$(cat "$work/slow.log")"
check_eq "the resumed image runs (/big is 60 MiB)" "62914560" "$(raind run --rm "$big" sh -c 'wc -c </big' 2>&1 | tr -d ' ')"
check_eq "no orphans after the crash: every blob and layer belongs to an image, downloads/ and tmp/ empty" \
        "" "$(store_orphans)"

# 7b. On a terminal: a bar per layer, redrawn in place; Ctrl-C cancels the job, whose download stays
# for the next pull to resume.
python3 "$layers" big 40 "$work/big2" --base "$bb" >/dev/null
registry_push_layout "$work/big2" latest "$REGISTRY/test/big2:1"
big2_blob=$(manifest_of "$work/big2" | jq -r '.layers[-1].digest')
out=$(python3 "$TESTS_DIR/integration/pty-run.py" --timeout 60 --cols 100 \
        --expect 'Downloading +\[=+>? *\] +[0-9.]+ ?[kMG]?B/' --sleep 0.5 --send '^C' -- \
        raind image pull "$PROXY/test/big2:1" 2>&1); rc=$?
check_eq "Ctrl-C ends a pull on a terminal with 130" 130 "$rc"
check_match "the terminal showed a progress bar for the big layer" "${big2_blob:7:12}: Downloading +\\[=" "$out"
check_match "redrawn in place (cursor up)" $'\e\\[[0-9]+A' "$out"
check "the job was canceled (JobRemoved: canceled, in raindd's log)" \
        sh -c "journalctl -q -u raindd -o cat | grep -q 'Image pull of .*big2:1 canceled'"
check_eq "no job worker is left after the cancel" "" "$(image_workers)"
check "the canceled pull's download stays in downloads/" test -s "$store/downloads/${big2_blob#sha256:}"
out=$(raind image pull "$PROXY/test/big2:1" 2>&1); rc=$?
check_eq "pulled again (not on a terminal: plain lines)" 0 "$rc"
check_no_match "without bars or cursor movement" $'\e|\\[=' "$out"
check_match "and a line per state change" "${big2_blob:7:12}: Pull complete" "$out"
check_match "the canceled download was resumed with a Range request" \
        "GET /v2/test/big2/blobs/$big2_blob range=bytes=[1-9][0-9]*-" "$(cat "$work/slow.log")"
raind image rm "$PROXY/test/big2:1" >/dev/null 2>&1
check_eq "the store is consistent after the canceled pull" "" "$(store_orphans)"

# 8. Two pulls at once of images sharing a big layer: the blob is fetched once.
python3 "$layers" big 20 "$work/shared-a" --base "$bb" >/dev/null
python3 "$layers" big 20 "$work/shared-b" >/dev/null
registry_push_layout "$work/shared-a" latest "$REGISTRY/test/shared-a:1"
registry_push_layout "$work/shared-b" latest "$REGISTRY/test/shared-b:1"
shared_blob=$(manifest_of "$work/shared-b" | jq -r '.layers[-1].digest')
raind image pull "$PROXY/test/shared-a:1" >"$work/pa.out" 2>&1 &
pa=$!
raind image pull "$PROXY/test/shared-b:1" >"$work/pb.out" 2>&1 &
pb=$!
wait "$pa"; rca=$?
wait "$pb"; rcb=$?
check_eq "concurrent pull A succeeds" 0 "$rca"
check_eq "concurrent pull B succeeds" 0 "$rcb"
check_eq "the shared big layer was fetched once by the two pulls" 1 "$(blob_gets "$work/slow.log" "$shared_blob")"
check_eq "the store is consistent after the concurrent pulls" "" "$(store_orphans)"

# 10. Push: tag a pulled image and an imported one, push both, read them back with skopeo.
pushed=$REGISTRY/pushed/multilayer:2
check "tag a pulled image for the registry" raind image tag "$ml" "$pushed"
check "push it" raind image push --tls-verify=false "$pushed"
raw_digest=sha256:$(skopeo inspect --tls-verify=false --raw "docker://$pushed" 2>/dev/null | sha256sum | cut -d' ' -f1)
check_match "the pushed manifest's digest is the one raind reports in RepoDigests" \
        "$REGISTRY/pushed/multilayer@$raw_digest" "$(image_json "$pushed" '.RepoDigests[]')"
check "skopeo copies the pushed image to a directory" \
        skopeo copy -q --src-tls-verify=false "docker://$pushed" "dir:$work/pushed-dir"
check_eq "its config digest is raind's image id" "$(image_json "$pushed" .Id)" \
        "$(jq -r .config.digest "$work/pushed-dir/manifest.json" 2>&1)"
check_eq "its layer digests are raind's layer blobs" "$(image_json "$pushed" '[.LayerBlobs[].digest] | join(" ")')" \
        "$(jq -r '[.layers[].digest] | join(" ")' "$work/pushed-dir/manifest.json" 2>&1)"
check "push to a named destination" raind image push --tls-verify=false "$ml" "$REGISTRY/pushed/multilayer:3"
check_eq "the registry holds raind's manifest byte for byte under the destination" \
        "$(image_json "$ml" .Manifest.digest)" \
        "sha256:$(skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/pushed/multilayer:3" | sha256sum | cut -d' ' -f1)"
out=$(raind image push --tls-verify=false "$ml" "$REGISTRY/pushed/multilayer:4" 2>&1); rc=$?
check_eq "a second push into the same repository (every blob, the config too, already there) succeeds" 0 "$rc"
check_match "and reports the layers as already there" "Layer already exists" "$out"
imported=$REGISTRY/pushed/imported:1
check "tag the imported test image for the registry" raind image tag "$RAIND_TEST_IMAGE" "$imported"
check "push an imported image" raind image push --tls-verify=false "$imported"
check "skopeo copies the pushed imported image" \
        skopeo copy -q --src-tls-verify=false "docker://$imported" "dir:$work/imported-dir"
check_eq "its config digest is the imported image's id" "$(image_json "$imported" .Id)" \
        "$(jq -r .config.digest "$work/imported-dir/manifest.json" 2>&1)"
raind image rm "$imported" >/dev/null 2>&1
check "a pushed image pulls back" raind image pull "$pushed"

# 12. rm and prune.
ml_id=$(image_json "$ml" .Id)
ml_id=${ml_id#sha256:}
raind container create --name imguser "$ml" >/dev/null
out=$(raind image rm "$ml_id" 2>&1); rc=$?
check_fails "rm of an image a container uses is refused" test "$rc" -eq 0
check_match "and says why" "used by a container" "$out"
check "rm -f of it (the container is not running) succeeds" raind image rm -f "$ml_id"
check_fails "the image is gone" raind image inspect "$ml_id"
check "the container that used it still exists" raind container inspect imguser
raind container rm imguser >/dev/null
sa_id=$(image_json "$PROXY/test/shared-a:1" .Id)
raind image rm "$PROXY/test/shared-a:1" >/dev/null 2>&1
check_fails "rm of an image's only tag deletes the image, like docker rmi (its digest references go too)" \
        raind image inspect "${sa_id#sha256:}"
# A dangling image: the host's multiarch image lost its tag to the --platform pull above.
dangling=$(image_json "$byd" .Id)
dangling=${dangling#sha256:}
check_eq "the image whose tag moved away has no tag left" "0" "$(image_json "$dangling" '.RepoTags | length')"
raind container create --name keeper "$big" >/dev/null
out=$(raind image prune -f 2>&1)
check_match "prune removes the dangling image (and prints its id)" "${dangling:0:12}" "$out"
check_fails "the dangling image is gone" raind image inspect "$dangling"
check "prune keeps tagged images" raind image inspect "$ma"
out=$(raind image prune -a -f 2>&1)
check_fails "prune -a removes the unused tagged images" raind image inspect "$ma"
check "prune -a keeps the image a container uses" raind image inspect "$big"
raind container rm keeper >/dev/null
# What an interrupted pull that is never repeated leaves in downloads/ goes with a prune.
head -c 4096 /dev/urandom >"$store/downloads/$(printf '%064d' 7)"
raind image prune -a -f >/dev/null 2>&1
check_eq "prune removes partial downloads of interrupted pulls" "" "$(ls -A "$store/downloads")"
check_eq "after prune -a with no container nothing is left in the store" "" \
        "$(find "$store/images" "$store/layers" "$store/blobs/sha256" -mindepth 1 -maxdepth 1)"

# 9. Auth: a registry that wants a password.
for pid in "${PROXY_PIDS[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
done
PROXY_PIDS=()
registry_stop
registry_start "$work/reg-auth" --htpasswd user:pass || exit 1
registry_push_layout "$work/multilayer" latest "$REGISTRY/private/ml:1"
export XDG_CONFIG_HOME=$work/config
authfile=$XDG_CONFIG_HOME/raind/auth.json
out=$(raind image pull "$REGISTRY/private/ml:1" 2>&1); rc=$?
check_fails "anonymous pull from the private registry fails" test "$rc" -eq 0
check_match "with a clear authentication message" "[Aa]uthentication" "$out"
out=$(raind login -u user --password-stdin "$REGISTRY" <<<wrong 2>&1); rc=$?
check_fails "login with a bad password fails" test "$rc" -eq 0
check_match "and says the credentials were refused" "[Aa]uthenticat|unauthorized|credentials|denied" "$out"
check_eq "and stores nothing" "" "$(jq -r ".auths[\"$REGISTRY\"] // empty" "$authfile" 2>/dev/null)"
out=$(raind login -u user --password-stdin "$REGISTRY" <<<pass 2>&1); rc=$?
check_eq "login with the right password succeeds" 0 "$rc"
check_match "and says so" "Login Succeeded" "$out"
check_eq "the auth file is mode 0600" 600 "$(stat -c %a "$authfile" 2>&1)"
check_match "the auth file has an auths entry for the registry" "." "$(jq -r ".auths[\"$REGISTRY\"].auth // empty" "$authfile" 2>/dev/null)"
check "pull with the stored credentials works" raind image pull "$REGISTRY/private/ml:1"
check_eq "the privately pulled image runs" "hello from config" "$(raind run --rm "$REGISTRY/private/ml:1" 2>&1)"
out=$(raind logout "$REGISTRY" 2>&1); rc=$?
check_eq "logout succeeds" 0 "$rc"
check_match "and says so" "Removed login credentials for $REGISTRY" "$out"
check_eq "the entry is gone from the auth file" "" "$(jq -r ".auths[\"$REGISTRY\"] // empty" "$authfile" 2>/dev/null)"
check_fails "anonymous pull fails again after logout" raind image pull "$REGISTRY/private/ml:1"
check "pull with --creds works without a login" raind image pull --creds user:pass "$REGISTRY/private/ml:1"
unset XDG_CONFIG_HOME
private_id=$(image_json "$REGISTRY/private/ml:1" .Id)
raind image rm -f "${private_id#sha256:}" >/dev/null 2>&1
check_eq "no image is left" "" "$(raind image ls -q 2>&1)"

# Image events: in the journal and in raind events.
ev=$(raind events --since "$events_since" --until "$(date -d '+1 sec' '+%Y-%m-%d %H:%M:%S')" --filter type=image 2>&1)
for e in pull push tag untag delete; do
        check_match "raind events --filter type=image shows image $e" " image $e " "$ev"
done
check_no_match "and no container events" " container " "$ev"
check_match "a pull event names the reference" "image pull [0-9a-f]{64} \\(name=127\\.0\\.0\\.1:[0-9]+/test/busybox:v2s2\\)" "$ev"
check_eq "journalctl has them by MESSAGE_ID (pull: aab6c27d…)" "yes" \
        "$(journalctl -q --since "$events_since" MESSAGE_ID=aab6c27dd0314e56b433b252efc16085 -o cat | grep -q "pull" && echo yes)"

# Nothing left behind.
check_eq "no job worker is left" "" "$(image_workers)"
check_eq "the store is consistent, downloads/ and tmp/ empty" "" "$(store_orphans)"
check_eq "no container traces, stray mounts or tmp/ work directories" "$before_leftovers" "$(leftovers)"
