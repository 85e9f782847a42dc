"""The pipe classes of x4pipe's X4_Python_Pipe_Server (see the package docstring).

Public names and methods follow the original package: Pipe_Server(pipe_name,
buffer_size=None, verbose=False) with Connect/Read/Write/Set_Nonblocking/
Set_Blocking/Close, Pipe_Client(pipe_name, buffer_size=None), Server_Thread and the
Client_Garbage_Collected exception. Pipe failures raise Pipe_Error, which carries
`winerror`, `funcname` and `strerror` like pywin32's error; a client that went away is
winerror 109 (ERROR_BROKEN_PIPE) on every OS, as modules for the original expect.
"""

import inspect
import os
import sys
import threading
import time

ERROR_BROKEN_PIPE = 109
ERROR_NO_DATA = 232
ERROR_PIPE_NOT_CONNECTED = 233
ERROR_MORE_DATA = 234
ERROR_PIPE_CONNECTED = 535


class Client_Garbage_Collected(Exception):
    """The game's Lua state went away and said so with 'garbage_collected'."""


class Pipe_Error(OSError):
    """A pipe operation failed; `winerror`, `funcname`, `strerror` as in pywin32."""

    def __init__(self, winerror, funcname, strerror):
        OSError.__init__(self, winerror, strerror)
        self.winerror = winerror
        self.funcname = funcname
        self.strerror = strerror

    def __str__(self):
        return "(%d, %r, %r)" % (self.winerror, self.funcname, self.strerror)


def _broken(funcname):
    return Pipe_Error(ERROR_BROKEN_PIPE, funcname, "The pipe has been ended.")


if os.name == "nt":
    from ._windows import ServerEnd as _ServerEnd, connect as _connect
else:
    from ._unix import ServerEnd as _ServerEnd, connect as _connect


class Pipe:
    """What Pipe_Server and Pipe_Client share: Read, Write and the blocking mode."""

    def __init__(self, pipe_name, buffer_size=None):
        self.pipe_name = pipe_name
        self.buffer_size = buffer_size if buffer_size else 64 * 1024
        self.nowait_set = False
        self._end = None

    def _conn(self):
        return self._end

    def Read(self):
        """The next message as text. Blocks unless Set_Nonblocking was called, then
        returns None when no message is there. Raises Client_Garbage_Collected when
        the game sends 'garbage_collected'."""
        data = self._conn().read(block=not self.nowait_set)
        if data is None:
            return None
        message = data.decode("utf-8", errors="replace")
        if message == "garbage_collected":
            raise Client_Garbage_Collected()
        return message

    def Write(self, message):
        """Sends one message (text is UTF-8 encoded; bytes go as they are)."""
        if not isinstance(message, (bytes, bytearray)):
            message = str(message).encode("utf-8")
        self._conn().write(bytes(message))

    def Set_Nonblocking(self):
        self.nowait_set = True

    def Set_Blocking(self):
        self.nowait_set = False


class Pipe_Server(Pipe):
    """Serves a pipe; Connect() waits for the game. One client at a time: when it goes
    away, Read/Write raise Pipe_Error (winerror 109); the next Read/Write or Connect
    waits for a new client."""

    def __init__(self, pipe_name, buffer_size=None, verbose=False):
        Pipe.__init__(self, pipe_name, buffer_size)
        self.verbose = verbose
        self._end = _ServerEnd(pipe_name)
        self.pipe_path = self._end.path
        print("Started serving: " + self.pipe_path)

    def _conn(self):
        if not self._end.connected():
            self.Connect()
        return self._end

    def Connect(self):
        """Waits for a client to connect."""
        self._end.accept()
        print("Connected to client")

    def Close(self):
        print("Closing " + self.pipe_path)
        self._end.close()


class Pipe_Client(Pipe):
    """Opens a pipe as a client (to test a server the way the game talks to it)."""

    def __init__(self, pipe_name, buffer_size=None):
        Pipe.__init__(self, pipe_name, buffer_size)
        self._end = _connect(pipe_name)
        self.pipe_path = self._end.path
        print("Client opened: " + self.pipe_path)

    def Close(self):
        self._end.close()


def _call_entry(entry, test):
    """Calls a module's main(), with the original's argument dict if it takes one."""
    try:
        params = inspect.signature(entry).parameters.values()
    except (TypeError, ValueError):
        return entry()
    takes = [
        p
        for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
    ]
    if takes:
        return entry({"test": test})
    return entry()


def run_entry(entry, test=False):
    """Runs entry (a module's main) as the original host did: again whenever the game
    went away (broken pipe or 'garbage_collected'); returns when it returns; any other
    exception propagates."""
    while True:
        started = time.monotonic()
        try:
            _call_entry(entry, test)
            return
        except Client_Garbage_Collected:
            print("Pipe client garbage collected, restarting server.")
        except Pipe_Error as ex:
            if ex.winerror != ERROR_BROKEN_PIPE:
                raise
            print("Pipe client disconnected, restarting server.")
        if test:
            return
        if time.monotonic() - started < 1.0:
            time.sleep(0.2)  # never a busy loop


class Server_Thread:
    """Runs entry_function in a thread, restarting it whenever the game goes away."""

    def __init__(self, entry_function, test=False):
        self.entry_function = entry_function
        self.test = test
        self.thread = threading.Thread(target=self.Run_Server, daemon=True)
        self.thread.start()

    def Run_Server(self):
        run_entry(self.entry_function, self.test)

    def Close(self):
        pass

    def Join(self):
        self.thread.join()
