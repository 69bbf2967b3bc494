# shellcheck shell=bash
# A registry that speaks HTTPS only, under a name that is not loopback: its certificate is checked
# against the system's CA store, --tls-verify=false skips the check (still over HTTPS), and a CA added
# to the store with update-ca-certificates is trusted; plain HTTP only with --tls-verify=false. All of it in the sandbox's own root (an overlay):
# /etc/hosts and the CA store change there only, and are put back at the end.

# shellcheck source=tests/lib/registry.sh
. "$TESTS_DIR/lib/registry.sh"
tls=$(mktemp -d /tmp/raind-tls.XXXXXX)
name=registry.test
cp /etc/hosts "$tls/hosts.orig"
echo "127.0.0.1 $name" >>/etc/hosts

# A CA of our own and a server certificate for registry.test signed by it.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=raind test CA" -keyout "$tls/ca.key" \
        -out "$tls/ca.crt" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=keyCertSign,cRLSign" \
        >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "$tls/server.key" -out "$tls/server.csr" \
        >/dev/null 2>&1
printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$name" >"$tls/ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
        -extfile "$tls/ext" -out "$tls/server.crt" >/dev/null 2>&1
check "a CA and a server certificate for $name" test -s "$tls/server.crt"
# skopeo's --cert-dir: *.crt there are CAs to trust (a *.key would be taken for a client certificate).
mkdir "$tls/certs" && cp "$tls/ca.crt" "$tls/certs/"

registry_start "$tls/registry" --tls "$tls/server.crt" "$tls/server.key" 2>"$tls/start.err"
check_eq "docker-registry serves HTTPS only, with that certificate" "" "$(cat "$tls/start.err")"
ref=$name:$REGISTRY_PORT/tls/busybox:1
"$TESTS_DIR/lib/mkimage-busybox.sh" "$tls/bb.tar.gz" >/dev/null 2>&1
check "skopeo pushes a test image there" \
        skopeo copy -q --dest-cert-dir "$tls/certs" "tarball:$tls/bb.tar.gz" "docker://$ref"
check_fails "plain HTTP is refused by the registry (it really is HTTPS only)" \
        curl -sf "http://$name:$REGISTRY_PORT/v2/"

out=$(raind image pull "$ref" 2>&1); rc=$?
check_eq "a pull from a registry whose CA the system does not trust fails" 1 "$rc"
check_match "and says the certificate is the problem" "(certificate|SSL)" "$out"
check_eq "and leaves nothing in the store" "" "$(store_orphans)"

check "--tls-verify=false pulls it (over HTTPS, without the check)" \
        raind image pull --tls-verify=false "$ref"
check_eq "the image runs" "tls ok" "$(raind run --rm "$ref" echo tls ok 2>&1)"
raind image rm "$ref" >/dev/null 2>&1

cp "$tls/ca.crt" /usr/local/share/ca-certificates/raind-test-ca.crt
update-ca-certificates >/dev/null 2>&1
check "with the CA in the system's store, a verified pull works" raind image pull "$ref"
check_eq "the verified image runs" "verified" "$(raind run --rm "$ref" echo verified 2>&1)"
check "push over verified HTTPS works too" raind image push "$ref" "$name:$REGISTRY_PORT/tls/pushed:1"
check_eq "the pushed manifest is the image's" \
        "$(image_json "$ref" '.Manifest.digest')" \
        "$(skopeo inspect --cert-dir "$tls/certs" --format '{{.Digest}}' "docker://$name:$REGISTRY_PORT/tls/pushed:1" 2>&1)"
raind image rm -f "$(image_json "$ref" '.Id')" >/dev/null 2>&1

registry_stop

# A registry under that name that speaks plain HTTP: only when asked (--tls-verify=false), after no TLS
# server answered.
registry_start "$tls/plain" 2>"$tls/start.err"
check_eq "a plain-HTTP docker-registry starts" "" "$(cat "$tls/start.err")"
plain=$name:$REGISTRY_PORT/plain/busybox:1
skopeo copy -q --dest-tls-verify=false "tarball:$tls/bb.tar.gz" "docker://$plain"
out=$(raind image pull "$plain" 2>&1); rc=$?
check_eq "without --tls-verify=false a non-loopback registry must speak HTTPS" 1 "$rc"
check "--tls-verify=false falls back to plain HTTP" raind image pull --tls-verify=false "$plain"
raind image rm -f "$(image_json "$plain" '.Id')" >/dev/null 2>&1
registry_stop
rm -f /usr/local/share/ca-certificates/raind-test-ca.crt
update-ca-certificates --fresh >/dev/null 2>&1
cp "$tls/hosts.orig" /etc/hosts
rm -rf "$tls"
check_eq "no image is left" "" "$(raind image ls -q 2>&1)"
check_eq "the store is consistent, downloads/ and tmp/ empty" "" "$(store_orphans)"
