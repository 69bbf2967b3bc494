# shellcheck shell=bash
# raind image save and load: docker-archive and oci-archive, checked with skopeo both ways; corrupt
# archives are refused and leave nothing.

work=/tmp/raind-itest-archives
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT


# archive_config FORMAT FILE — the config digest skopeo reads in the archive.
archive_config() {
        skopeo inspect --raw "$1:$2" 2>&1 | jq -r .config.digest 2>&1
}

ensure_test_image
remove_all_containers
before_leftovers=$(leftovers)
bb=$work/busybox.tar.gz
"$TESTS_DIR/lib/mkimage-busybox.sh" "$bb" >/dev/null
python3 "$TESTS_DIR/lib/mkimage-layers.py" multilayer "$bb" "$work/ml" >/dev/null
ml=test/multilayer:1

# Archives made by skopeo.
skopeo copy -q "oci:$work/ml:latest" "docker-archive:$work/skopeo-docker.tar:$ml"
skopeo copy -q "oci:$work/ml:latest" "oci-archive:$work/skopeo-oci.tar:$ml"
ml_id=$(archive_config docker-archive "$work/skopeo-docker.tar")
out=$(raind image load -i "$work/skopeo-docker.tar" 2>&1); rc=$?
check_eq "load of a docker-archive made by skopeo" 0 "$rc"
check_match "it prints the loaded reference" "Loaded image: (docker.io/)?(library/)?$ml" "$out"
check_eq "the loaded image's id is the archive's config digest" "$ml_id" "$(image_json "$ml" .Id)"
check_eq "the loaded multilayer image runs (Entrypoint + Cmd)" "hello from config" "$(raind run --rm "$ml" 2>&1)"
check_eq "its whiteouts survived the archive" "b new" "$(raind run --rm "$ml" 'echo $(ls /data) $(ls -A /keep)' 2>&1)"
raind image rm "$ml" >/dev/null 2>&1
out=$(raind image load -i "$work/skopeo-oci.tar" 2>&1); rc=$?
check_eq "load of an oci-archive made by skopeo" 0 "$rc"
check_eq "it gives the same image id" "$ml_id" "$(image_json "${ml_id#sha256:}" .Id)"
check_match "it prints what it loaded" "Loaded image: " "$out"
raind image rm -f "${ml_id#sha256:}" >/dev/null 2>&1
raind image load -i "$work/skopeo-docker.tar" >/dev/null 2>&1

# Archives made by raind, read by skopeo, loaded back.
for format in docker-archive oci-archive; do
        file=$work/raind-$format.tar
        check "save --format $format" raind image save --format "$format" -o "$file" "$ml"
        check_eq "skopeo reads raind's $format: same config digest" "$ml_id" "$(archive_config "$format" "$file")"
        check "skopeo copies raind's $format out (it checks every blob's digest)" \
                skopeo copy -q "$format:$file" "oci:$work/out-$format:x"
        check "rm of the image" raind image rm "$ml"
        out=$(raind image load -i "$file" 2>&1); rc=$?
        check_eq "load of raind's own $format" 0 "$rc"
        check_match "it names the reference it restored" "Loaded image: .*$ml" "$out"
        check_eq "it restores the same image id" "$ml_id" "$(image_json "$ml" .Id)"
        check_eq "the reloaded image runs" "hello from config" "$(raind run --rm "$ml" 2>&1)"
done

# An imported image (no registry blobs of its own) and two images in one archive, through a pipe.
test_id=$(image_json "$RAIND_TEST_IMAGE" .Id)
raind image save "$ml" "$RAIND_TEST_IMAGE" >"$work/two.tar" 2>"$work/save.err"; rc=$?
check_eq "save of two images to standard output (not a terminal)" 0 "$rc"
check "skopeo reads the imported image in it" skopeo inspect --raw "docker-archive:$work/two.tar:$RAIND_TEST_IMAGE"
check "rm of both" raind image rm "$ml" "$RAIND_TEST_IMAGE"
out=$(raind image load <"$work/two.tar" 2>&1); rc=$?
check_eq "load from standard input" 0 "$rc"
check_eq "it loaded two images" 2 "$(grep -c '^Loaded image' <<<"$out")"
check_eq "the multilayer image is back with its id" "$ml_id" "$(image_json "$ml" .Id)"
check_eq "the imported image is back with its id" "$test_id" "$(image_json "$RAIND_TEST_IMAGE" .Id)"
check_eq "the imported image runs after the round trip" "ok" "$(raind run --rm "$RAIND_TEST_IMAGE" echo ok 2>&1)"
out=$(python3 "$TESTS_DIR/integration/pty-run.py" --timeout 20 -- raind image save "$ml" 2>&1); rc=$?
check_fails "save refuses to write an archive to a terminal" test "$rc" -eq 0
check_match "and says so" "terminal" "$out"
check_no_match "and wrote no archive to it" "manifest.json|oci-layout" "$out"

# Refused archives leave nothing.
raind image rm "$ml" >/dev/null 2>&1
snap=$(store_snapshot)
size=$(stat -c %s "$work/raind-docker-archive.tar")
cp "$work/raind-docker-archive.tar" "$work/flipped.tar"
# The middle of the archive is inside the biggest layer: its digest no longer matches.
printf 'raind-corruption' | dd of="$work/flipped.tar" bs=1 seek=$((size / 2)) conv=notrunc status=none
head -c $((size / 2)) "$work/raind-docker-archive.tar" >"$work/truncated.tar"
head -c 4096 /dev/urandom >"$work/random.bin"
declare -A why=([flipped]="do not match|digest" [truncated]="[Tt]runcated" [random]="not a tar archive")
for bad in flipped truncated random; do
        f=$work/$bad.tar
        [ "$bad" = random ] && f=$work/random.bin
        out=$(raind image load -i "$f" 2>&1); rc=$?
        check_fails "a $bad archive is refused" test "$rc" -eq 0
        check_match "with one clear line saying why ($bad)" "^raind: Cannot load.*(${why[$bad]})" "$out"
        check_eq "and nothing of it stays in the store ($bad)" "" "$(store_changes "$snap")"
done
check_fails "the image of the refused archives is not there" raind image inspect "$ml"
check_eq "no job worker is left" "" "$(image_workers)"
check_eq "no container traces, stray mounts or tmp/ work directories" "$before_leftovers" "$(leftovers)"
