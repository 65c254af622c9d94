#!/usr/bin/env python3
"""Graceful shutdown: a request whose body is still arriving when SIGTERM lands is answered; new connections
are refused while draining; the process exits 0. Needs DOPPEL_BIN and DOPPEL_TEST_DATABASE_URL."""
import json, os, socket, subprocess, sys, time

env = dict(PATH=os.environ["PATH"], DOPPEL_PORT="0", DOPPEL_READ_TIMEOUT_SECONDS="10",
           DOPPEL_DATABASE_URL=os.environ["DOPPEL_TEST_DATABASE_URL"])
proc = subprocess.Popen([os.environ["DOPPEL_BIN"], "serve"], env=env, stdout=subprocess.PIPE, text=True)
port = None
for line in proc.stdout:
    entry = json.loads(line)
    if entry.get("msg") == "listening":
        port = entry["port"]
        break
assert port, "server did not start"

body = b'{"webhookEvent":"jira:issue_created","issue":{"id":"1"}}'
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"POST /webhooks/jira HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
          % len(body) + body[:20])
time.sleep(0.3)
proc.send_signal(15)
time.sleep(0.5)
try:
    fresh = socket.create_connection(("127.0.0.1", port), timeout=2)
    fresh.sendall(b"GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
    fresh.settimeout(2)
    got = fresh.recv(100)
    assert not got.startswith(b"HTTP/1.1 200"), "a new connection was served while draining"
except (ConnectionRefusedError, ConnectionResetError, socket.timeout):
    pass
s.sendall(body[20:])
s.settimeout(10)
reply = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    reply += chunk
assert reply.startswith(b"HTTP/1.1 401"), f"in-flight request not answered: {reply[:80]!r}"
assert b"Connection: close" in reply, "draining answers close the connection"
code = proc.wait(timeout=20)
assert code == 0, f"exit code {code}"
print("drain: in-flight request answered (401 without token), new connections refused, exit 0")
