#!/usr/bin/env python3
"""A stand-in for systemd's side of a socket-activated Type=notify service with an fd store.

Holds a listening TCP socket on 127.0.0.1:PORT, receives the notify datagrams (with their
descriptors) on its own NOTIFY_SOCKET, keeps FDSTORE=1 descriptors under their FDNAME, drops them
on FDSTOREREMOVE=1, and starts the service as systemd does: the socket at fd 3, then the store
(newest first, as systemd's LIST_PREPEND keeps it), LISTEN_FDS, LISTEN_FDNAMES ("jepmd.socket" for
the socket) and LISTEN_PID set to the new pid. As systemd's service_add_fd_store() does, a
descriptor referring to the same open file as one already stored is not stored again: the store
keeps it under its old name.

Commands on stdin, one a line: start, term (SIGTERM), store (prints the store, oldest first),
lose-removals (ignores every FDSTOREREMOVE=1 until the service exits, as if it crashed before
sending them), quit.
Events on stdout, one a line: "notify <message, newlines as |> fds=N", "started PID",
"exited STATUS", "store NAME ...", "dropped NAME" (store full), "duplicate NAME" (kept under its
old name), "lost FDSTOREREMOVE NAME". --state-version N stores the
state with its format version replaced, as a future jepmd would write it. As systemd does, every pending
notify datagram is handled before the service's exit is reported.
"""
import argparse
import array
import fcntl
import os
import resource
import select
import signal
import socket
import sys
import tempfile

SCM_MAX_FD = 253


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Fake:
    def __init__(self, args):
        self.args = args
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # room for a full store, as systemd has
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", args.port))
        self.listener.listen(128)
        self.dir = tempfile.mkdtemp(prefix="fake-systemd-")
        self.notify_path = os.path.join(self.dir, "notify")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        self.notify.setblocking(False)
        self.store = []  # (name, fd), in arrival order
        self.lose_removals = False
        self.pid = None
        self.pidfd = None

    def start(self):
        newest_first = list(reversed(self.store))
        fds = [self.listener.fileno()] + [fd for _, fd in newest_first]
        names = ["jepmd.socket"] + [name for name, _ in newest_first]
        log = os.open(self.args.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        pid = os.fork()
        if pid == 0:
            try:
                os.dup2(log, 1)
                os.dup2(log, 2)
                high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10000 + i) for i, fd in enumerate(fds)]
                for i, fd in enumerate(high):
                    os.dup2(fd, 3 + i, inheritable=True)
                os.closerange(3 + len(fds), 65536)
                env = dict(os.environ)
                env.update(NOTIFY_SOCKET=self.notify_path, LISTEN_FDS=str(len(fds)),
                           LISTEN_FDNAMES=":".join(names), LISTEN_PID=str(os.getpid()))
                if self.args.fdstore_env:
                    env["FDSTORE"] = str(self.args.fdstore_max)
                os.execvpe(self.args.command[0], self.args.command, env)
            finally:
                os._exit(127)
        os.close(log)
        self.pid = pid
        self.pidfd = os.pidfd_open(pid)
        out("started %d" % pid)

    def receive(self):
        """Handles every pending notify datagram; False when there was none."""
        handled = False
        while True:
            try:
                data, ancillary, _, _ = self.notify.recvmsg(
                    4096, socket.CMSG_SPACE(SCM_MAX_FD * 4), socket.MSG_CMSG_CLOEXEC)
            except BlockingIOError:
                return handled
            handled = True
            fds = array.array("i")
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
            message = data.decode("utf-8", "replace")
            out("notify %s fds=%d" % (message.replace("\n", "|"), len(fds)))
            fields = dict(line.split("=", 1) for line in message.split("\n") if "=" in line)
            name = fields.get("FDNAME", "stored")
            if fields.get("FDSTORE") == "1":
                for fd in fds:
                    if len(self.store) >= self.args.fdstore_max:
                        out("dropped %s" % name)
                        os.close(fd)
                    elif self.stored_already(fd):
                        out("duplicate %s" % name)
                        os.close(fd)
                    else:
                        self.store.append((name, self.rewritten(name, fd)))
            else:
                for fd in fds:
                    os.close(fd)
            if fields.get("FDSTOREREMOVE") == "1" and self.lose_removals:
                out("lost FDSTOREREMOVE %s" % name)
            elif fields.get("FDSTOREREMOVE") == "1":
                for stored_name, fd in [e for e in self.store if e[0] == name]:
                    os.close(fd)
                self.store = [e for e in self.store if e[0] != name]

    def stored_already(self, fd):
        """Whether the store holds the same open file as fd (same device and inode)."""
        identity = os.fstat(fd)
        return any((os.fstat(kept).st_dev, os.fstat(kept).st_ino) == (identity.st_dev, identity.st_ino)
                   for _, kept in self.store)

    def rewritten(self, name, fd):
        """The state with its format version replaced (--state-version), else fd itself."""
        if name != "jepmd-state" or self.args.state_version is None:
            return fd
        state = os.pread(fd, 1 << 24, 0)
        os.close(fd)
        copy = os.memfd_create(name)
        version = state.find(b"JEPMDRS\n") + 8  # StateCodec's magic, then its format version
        os.write(copy, state[:version] + self.args.state_version.to_bytes(4, "big") + state[version + 4:])
        return copy

    def reap(self):
        _, status = os.waitpid(self.pid, 0)
        os.close(self.pidfd)
        self.pid = self.pidfd = None
        self.lose_removals = False
        out("exited %d" % (os.waitstatus_to_exitcode(status)))

    def command(self, line):
        word = line.strip()
        if word == "start":
            self.start()
        elif word == "term" and self.pid is not None:
            os.kill(self.pid, signal.SIGTERM)
        elif word == "lose-removals":
            self.lose_removals = True
        elif word == "store":
            out("store " + " ".join(name for name, _ in self.store))
        elif word == "quit":
            return False
        return True

    def run(self):
        stdin = sys.stdin.fileno()
        pending = b""
        try:
            while True:
                waited = [self.notify, stdin] + ([self.pidfd] if self.pidfd is not None else [])
                ready, _, _ = select.select(waited, [], [])
                if self.receive():
                    continue  # notify messages first, as systemd handles them before SIGCHLD
                if self.pidfd in ready:
                    self.reap()
                if stdin in ready:
                    chunk = os.read(stdin, 4096)
                    if not chunk:
                        return
                    pending += chunk
                    while b"\n" in pending:
                        line, pending = pending.split(b"\n", 1)
                        if not self.command(line.decode()):
                            return
        finally:
            if self.pid is not None:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            os.unlink(self.notify_path)
            os.rmdir(self.dir)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--fdstore-max", type=int, default=64)
    parser.add_argument("--fdstore-env", action="store_true", help="set FDSTORE as systemd 254+ does")
    parser.add_argument("--state-version", type=int, help="rewrite the stored state's format version")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.command and args.command[0] == "--":
        args.command = args.command[1:]
    Fake(args).run()


if __name__ == "__main__":
    main()
