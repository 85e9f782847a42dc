"""Linux transport: AF_UNIX SOCK_SEQPACKET sockets with x4pipe's chunk framing.

A message is one or more packets: a head byte (0x00 = last packet of the message,
0x01 = more follow) and up to 65536 payload bytes. Socket path: <folder>/<name> with
<folder> = $X4PIPE_SOCKET_DIR, else $XDG_RUNTIME_DIR/x4pipe, else /tmp/x4pipe-<uid>
(private to this user), the same rule as x4pipe's native library.
"""

import os
import socket
import stat

from . import _broken

CHUNK = 65536
LAST = 0x00
MORE = 0x01

# Listening sockets by path. A module's main() that runs again after the game went
# away creates a new Pipe_Server for the same name; it takes the listener over, so a
# game client already queued on it is not lost.
_listeners = {}


def socket_dir():
    explicit = os.environ.get("X4PIPE_SOCKET_DIR")
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if explicit:
        folder = explicit
    elif runtime:
        folder = os.path.join(runtime, "x4pipe")
    else:
        folder = "/tmp/x4pipe-%d" % os.getuid()
    os.makedirs(folder, mode=0o700, exist_ok=True)
    if not explicit and not runtime:
        info = os.lstat(folder)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise PermissionError(
                "%s is not a private folder of this user; set X4PIPE_SOCKET_DIR" % folder
            )
    return folder


def _path(name):
    if not name or "/" in name or "\\" in name or "\0" in name or name in (".", ".."):
        raise ValueError("bad pipe name %r" % (name,))
    return os.path.join(socket_dir(), name)


class _Conn:
    """One connected socket: whole messages in and out."""

    def __init__(self, sock, path):
        self.sock = sock
        self.path = path
        self.parts = []  # packets of a message still arriving

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def read(self, block=True):
        if self.sock is None:
            raise _broken("ReadFile")
        self.sock.setblocking(block)
        while True:
            try:
                packet = self.sock.recv(CHUNK + 1)
            except BlockingIOError:
                return None
            except OSError:
                self.close()
                raise _broken("ReadFile")
            if not packet or packet[0] not in (LAST, MORE):
                self.close()
                raise _broken("ReadFile")
            self.parts.append(packet[1:])
            if packet[0] == LAST:
                data = b"".join(self.parts)
                self.parts = []
                return data

    def write(self, data):
        if self.sock is None:
            raise _broken("WriteFile")
        self.sock.setblocking(True)
        view = memoryview(data)
        try:
            while True:
                chunk, view = view[:CHUNK], view[CHUNK:]
                self.sock.sendall(bytes([MORE if len(view) else LAST]) + chunk)
                if not len(view):
                    return
        except OSError:
            self.close()
            raise _broken("WriteFile")


class ServerEnd:
    """A served name and its current client."""

    def __init__(self, name):
        self.path = _path(name)
        self.conn = None
        listener = _listeners.pop(self.path, None)
        if listener is None:
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            try:
                listener.bind(self.path)
            except OSError:
                # A socket file left by a process that died: replace it, unless a
                # live server still answers there.
                probe = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                try:
                    probe.connect(self.path)
                except OSError:
                    os.unlink(self.path)
                    listener.bind(self.path)
                else:
                    probe.close()
                    listener.close()
                    raise OSError("pipe %s is already served" % self.path)
            listener.listen(8)
        self.listener = listener
        _listeners[self.path] = listener

    def connected(self):
        return self.conn is not None and self.conn.sock is not None

    def accept(self):
        if self.connected():
            return
        sock, _ = self.listener.accept()
        self.conn = _Conn(sock, self.path)

    def read(self, block=True):
        if not self.connected():
            self.accept()
        return self.conn.read(block)

    def write(self, data):
        if not self.connected():
            self.accept()
        self.conn.write(data)

    def close(self):
        if self.conn is not None:
            self.conn.close()
        if _listeners.get(self.path) is self.listener:
            del _listeners[self.path]
            self.listener.close()
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass


def connect(name):
    path = _path(name)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.connect(path)
    return _Conn(sock, path)
