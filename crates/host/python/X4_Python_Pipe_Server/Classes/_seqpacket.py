# x4pipe's Linux transport, server end: AF_UNIX SOCK_SEQPACKET sockets with chunk
# framing, the counterpart of the client in x4pipe's native library (the game's side).
#
# x4pipe keeps one copy of this code: `x4pipe host` runs it as a module of its
# X4_Python_Pipe_Server package, and every built API has it inlined into
# python/x4pipe_server.py (a template include), so a mod ships one self-contained file.
# Hence comments instead of a docstring, and no `{` followed by `{`, `%` or `#`.
#
# Wire format: a message is one or more packets, each a head byte and up to CHUNK
# payload bytes: head 0x00 = the last packet of the message, 0x01 = more follow.
# Socket path: <folder>/<pipe name>, <folder> = $X4PIPE_SOCKET_DIR, else
# $XDG_RUNTIME_DIR/x4pipe, else /tmp/x4pipe-<uid> (created 0700; on the shared /tmp a
# folder that is not this user's private one is refused), the native library's rule.

import os
import socket
import stat

CHUNK = 65536
LAST = 0x00
MORE = 0x01


def socket_dir():
    """The folder the game's client looks in; created 0700 if missing."""
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
        # A shared /tmp: refuse a folder someone else made to catch our sockets.
        info = os.lstat(folder)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise PermissionError(
                "%s is not a private folder of this user; set X4PIPE_SOCKET_DIR" % folder
            )
    return folder


def pipe_path(name):
    """The socket path of a pipe name; a name that is not one file name is refused."""
    if not name or "/" in name or "\\" in name or "\0" in name or name in (".", ".."):
        raise ValueError("bad pipe name %r" % (name,))
    return os.path.join(socket_dir(), name)


def listen(path, backlog=8):
    """A listening socket at `path`. A socket file left by a process that died is
    replaced; a path where a live server still answers raises OSError."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        listener.bind(path)
    except OSError:
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            probe.connect(path)
        except OSError:
            os.unlink(path)
            listener.bind(path)
        else:
            probe.close()
            listener.close()
            raise OSError("pipe %s is already served" % path)
    listener.listen(backlog)
    return listener


def connect(path):
    """A Connection to the server listening at `path`."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.connect(path)
    return Connection(sock)


class Connection:
    """One connected socket: whole messages in and out. When the peer is gone (or
    sends something that is not a packet of this framing) the socket is closed and
    ConnectionResetError raised, by this and every later call."""

    def __init__(self, sock):
        self.sock = sock
        self.parts = []  # packets of a message still arriving

    def open(self):
        return self.sock is not None

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        self.parts = []

    def _lost(self):
        self.close()
        return ConnectionResetError("the other end closed the pipe")

    def recv_message(self, block=True):
        """The next whole message as bytes; None when `block` is false and no whole
        message is there yet (the packets read so far are kept for the next call)."""
        if self.sock is None:
            raise self._lost()
        self.sock.setblocking(block)
        while True:
            try:
                packet = self.sock.recv(CHUNK + 1)
            except BlockingIOError:
                return None
            except OSError:
                raise self._lost()
            if not packet or packet[0] not in (LAST, MORE):
                raise self._lost()
            self.parts.append(packet[1:])
            if packet[0] == LAST:
                data = b"".join(self.parts)
                self.parts = []
                return data

    def send_message(self, data):
        """Sends one whole message (bytes-like), waiting until the peer took it."""
        if self.sock is None:
            raise self._lost()
        self.sock.setblocking(True)
        view = memoryview(data)
        try:
            while True:
                chunk, view = view[:CHUNK], view[CHUNK:]
                self.sock.sendall(bytes([MORE if len(view) else LAST]) + chunk)
                if not len(view):
                    return
        except OSError:
            raise self._lost()
