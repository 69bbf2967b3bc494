# shellcheck shell=bash
# polkit decides who may manage containers: an ordinary user is refused, a member of group raind is not.

ensure_test_image
id -u alice >/dev/null 2>&1 || useradd -m alice
id -u bob >/dev/null 2>&1 || useradd -m -G raind bob

out=$(runuser -u alice -- raind container run --name nope "$RAIND_TEST_IMAGE" true 2>&1); rc=$?
check_eq "an unprivileged user's run fails with 125" 125 "$rc"
check_match "the refusal is one clear line naming polkit" "^raind: permission denied.*org\.raind\.raind1\.manage-containers" "$out"
check_eq "the refusal is exactly one line" 1 "$(printf '%s\n' "$out" | wc -l)"
check_fails "the refused container was not created" raind container inspect nope

out=$(runuser -u alice -- busctl call org.raind.raind1 /org/raind/raind1 org.raind.raind1.Manager \
        CreateContainer 'sasa{sv}' "$RAIND_TEST_IMAGE" 1 true 0 2>&1)
check_match "on the bus the refusal is AccessDenied/interactive auth" "(Access denied|Interactive authentication required)" "$out"
check "reading is open to everyone (ListContainers)" runuser -u alice -- busctl call org.raind.raind1 \
        /org/raind/raind1 org.raind.raind1.Manager ListContainers
out=$(runuser -u alice -- raind image import /dev/null x:y 2>&1)
check_match "image import by an unprivileged user is refused" "permission denied.*manage-images" "$out"

out=$(runuser -u alice -- raind image pull 127.0.0.1:1/x:1 2>&1); rc=$?
check_match "image pull by an unprivileged user is refused before any network" "permission denied.*manage-images" "$out"
check_eq "with exit status 125" 125 "$rc"
check_match "image rm by an unprivileged user is refused" "permission denied.*manage-images" \
        "$(runuser -u alice -- raind image rm "$RAIND_TEST_IMAGE" 2>&1)"
check "and the image is still there" raind image inspect "$RAIND_TEST_IMAGE"
check "image ls and inspect are open to everyone" runuser -u alice -- raind image inspect "$RAIND_TEST_IMAGE"
out=$(runuser -u bob -- raind image pull 127.0.0.1:1/x:1 2>&1)
check_match "a raind group member may pull (and gets the registry's error, not polkit's)" \
        "Cannot pull 127.0.0.1:1/x:1" "$out"
check "a raind group member may tag" runuser -u bob -- raind image tag "$RAIND_TEST_IMAGE" bobs-tag:1
check "and untag" runuser -u bob -- raind image rm bobs-tag:1

out=$(runuser -u bob -- raind container run --rm --name allowed "$RAIND_TEST_IMAGE" echo yes 2>&1)
check_eq "a raind group member may run containers" "yes" "$out"
id=$(runuser -u bob -- raind container run -d --name bobs "$RAIND_TEST_IMAGE" sleep 30)
check_match "a raind group member may run detached" '^[0-9a-f]{64}$' "$id"
check_fails "an unprivileged user may not stop it" runuser -u alice -- raind container stop -t 1 bobs
check "a raind group member may remove it" runuser -u bob -- raind container rm -f bobs

remove_all_containers
check_eq "nothing is left behind" "" "$(leftovers)"
