"""Linux transport of the pipe classes: x4pipe's SOCK_SEQPACKET framing (`_seqpacket`,
the code every built API also ships in python/x4pipe_server.py), with the original
package's errors: a lost client is Pipe_Error 109 from ReadFile / WriteFile."""

import os

from . import _broken
from ._seqpacket import Connection, listen, pipe_path
from ._seqpacket import connect as _connect_path

# Listening sockets by path. A module's main() that runs again after the game went
# away creates a new Pipe_Server for the same name; it takes the listener over, so a
# game client already queued on it is not lost.
_listeners = {}


class _Conn:
    """A Connection that fails the way pywin32's ReadFile / WriteFile do."""

    def __init__(self, conn, path):
        self._conn = conn
        self.path = path

    def open(self):
        return self._conn.open()

    def close(self):
        self._conn.close()

    def read(self, block=True):
        try:
            return self._conn.recv_message(block)
        except ConnectionResetError:
            raise _broken("ReadFile")

    def write(self, data):
        try:
            self._conn.send_message(data)
        except ConnectionResetError:
            raise _broken("WriteFile")


class ServerEnd:
    """A served name and its current client."""

    def __init__(self, name):
        self.path = pipe_path(name)
        self.conn = None
        listener = _listeners.pop(self.path, None)
        if listener is None:
            listener = listen(self.path)
        self.listener = listener
        _listeners[self.path] = listener

    def connected(self):
        return self.conn is not None and self.conn.open()

    def accept(self):
        if self.connected():
            return
        sock, _ = self.listener.accept()
        self.conn = _Conn(Connection(sock), self.path)

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
    path = pipe_path(name)
    return _Conn(_connect_path(path), path)
