#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# sync-client.py SHIM BUNDLE ID STATE_DIR CACHE_DIR go|abort: plays raindd's side of --sync-fd.
import os, socket, subprocess, sys, time
shim, bundle, cid, state, cache, mode = sys.argv[1:7]
parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
p = subprocess.Popen([shim, "--bundle", bundle, "--id", cid, "--name", "sync", "--state-dir", state,
                      "--seccomp-cache-dir", cache, "--sync-fd", str(child.fileno())],
                     pass_fds=[child.fileno()], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
child.close()
time.sleep(0.2)
assert p.poll() is None, "shim must wait for go"
assert not os.path.exists(os.path.join(state, "pid")), "nothing may start before go"
if mode == "abort":
    parent.close()
    assert p.wait(timeout=5) == 1
    assert not os.path.exists(os.path.join(state, "pid"))
    print("aborted")
    sys.exit(0)
parent.send(b"g")
reply = parent.recv(4096).decode()
rc = p.wait(timeout=10)
print(reply)
print(rc)
