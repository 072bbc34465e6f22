#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Hold as many connections to a server as it lets one address have.

bench/server_load.sh runs this to measure a check while one client holds
its connection limit (docs/server.md, "Limits"). From SOURCE (a loopback
address other than the bench's own), open COUNT connections to PORT, each
sending an unfinished request header a byte at a time (the slowest kind of
client the header deadline still lets live), then print how many the
server kept, and keep them until killed.

usage: hold_connections.py PORT COUNT [SOURCE]"""
import select, socket, sys, time

port, count = int(sys.argv[1]), int(sys.argv[2])
source = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.2"
held = []
for _ in range(count):
    s = socket.socket()
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    s.send(b"GET /d/v1/check?")
    held.append(s)
time.sleep(1)
# A connection the server refused is closed: readable, with nothing to read.
readable, _, _ = select.select(held, [], [], 0)
for s in readable:
    held.remove(s)
    s.close()
print("%s holds %d connections (%d refused)" % (source, len(held), count - len(held)), flush=True)
while True:
    time.sleep(2)  # well inside the header deadline, and never finishing
    for s in held:
        s.send(b"a")
