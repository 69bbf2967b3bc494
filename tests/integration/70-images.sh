# shellcheck shell=bash
# Image import runs beside everything else: raindd answers while it unpacks, imports run side by side,
# and a removal does not wait for them.

ensure_test_image
big=/var/tmp/raind-big.tar
mkdir -p /var/tmp/raind-big/data
truncate -s 400M /var/tmp/raind-big/data/zeros
tar -C /var/tmp/raind-big -cf "$big" data
rm -rf /var/tmp/raind-big

"$TESTS_DIR/lib/mkimage-busybox.sh" /tmp/bb-rmme.tar.gz >/dev/null
# A small image of its own: one file, so it shares no layer with anything else.
tar -C /tmp --transform 's,^,rmme/,' -cf /tmp/rmme.tar bb-rmme.tar.gz
raind image import /tmp/rmme.tar rmme:1 >/dev/null
raind image import "$big" big:one >/tmp/import1.out 2>&1 &
importer=$!
sleep 0.2
raind image rm rmme:1 >/dev/null 2>&1; rm_rc=$?
if kill -0 "$importer" 2>/dev/null; then
        check_eq "image rm answers while an import runs" 0 "$rm_rc"
else
        not_ok "image rm answers while an import runs" "the import ended before rm could be tried"
fi
check_no_match "the removed image is gone at once" "rmme" "$(raind image ls)"
raind container ls -a >/dev/null 2>&1; ls_rc=$?
if kill -0 "$importer" 2>/dev/null; then
        check_eq "raindd answers (container ls) while an import is unpacking" 0 "$ls_rc"
else
        not_ok "raindd answers (container ls) while an import is unpacking" "the import ended before ls could be tried"
fi
"$TESTS_DIR/lib/mkimage-busybox.sh" /tmp/bb-second.tar.gz >/dev/null
raind image import /tmp/bb-second.tar.gz busybox:second >/tmp/import2.out 2>&1 &
second=$!
wait "$importer"; rc1=$?
wait "$second"; rc2=$?
check_eq "the long import succeeds" 0 "$rc1"
check_eq "an import queued behind it succeeds too" 0 "$rc2"
check_match "both images are listed" "big +one" "$(raind image ls)"
check_match "both images are listed (2)" "busybox +second" "$(raind image ls)"
check "image rm of both" raind image rm big:one busybox:second
check_no_match "they are gone" "big +one|busybox +second" "$(raind image ls)"
rm -f "$big"
check_eq "no import work is left in the store" "" "$(ls -A /var/lib/raind/tmp)"
check_eq "the removed image's layer and blobs went once no worker ran: no orphans" "" "$(store_orphans)"
rm -f /tmp/rmme.tar /tmp/bb-rmme.tar.gz

# Every image is a D-Bus object too.
"$TESTS_DIR/lib/mkimage-busybox.sh" /tmp/bb-object.tar.gz >/dev/null
id=$(raind image import /tmp/bb-object.tar.gz object:1 2>&1)
obj=/org/raind/raind1/image/$id
check_match "busctl tree lists the image object" "$obj" "$(busctl tree --list org.raind.raind1 2>&1)"
check_eq "its RepoTags property" 'as 1 "object:1"' \
        "$(busctl get-property org.raind.raind1 "$obj" org.raind.raind1.Image RepoTags 2>&1)"
layer=$(busctl get-property org.raind.raind1 "$obj" org.raind.raind1.Image Layers 2>&1 | grep -o '[0-9a-f]\{64\}')
check "its Layers property names the layer's directory in the store" test -d "/var/lib/raind/layers/$layer/diff"
check "Tag on the object" busctl call org.raind.raind1 "$obj" org.raind.raind1.Image Tag s object:2
check_match "and raind image ls shows the new tag" "object +2 +${id:0:12}" "$(raind image ls)"
check_match "GetManagedObjects has the image with its interface" "org.raind.raind1.Image" \
        "$(busctl call org.raind.raind1 /org/raind/raind1 org.freedesktop.DBus.ObjectManager GetManagedObjects 2>&1)"
check "Remove on the object removes the image with both tags" \
        busctl call org.raind.raind1 "$obj" org.raind.raind1.Image Remove b false
check_no_match "it is gone from image ls" "object" "$(raind image ls)"
check_fails "and so is the object" busctl get-property org.raind.raind1 "$obj" org.raind.raind1.Image Id
rm -f /tmp/bb-object.tar.gz
