"""Windows transport: named pipes \\\\.\\pipe\\<name> in message mode, through ctypes
(no pywin32). The pipe's DACL admits only the current user and SYSTEM, like the
pipes of x4pipe's native library, so another user on the machine cannot open it.
"""

import ctypes
from ctypes import wintypes

from . import (
    ERROR_BROKEN_PIPE,
    ERROR_MORE_DATA,
    ERROR_NO_DATA,
    ERROR_PIPE_CONNECTED,
    ERROR_PIPE_NOT_CONNECTED,
    Pipe_Error,
    _broken,
)

_k32 = ctypes.WinDLL("kernel32", use_last_error=True)
_adv = ctypes.WinDLL("advapi32", use_last_error=True)

HANDLE = wintypes.HANDLE
INVALID_HANDLE_VALUE = HANDLE(-1).value
PIPE_ACCESS_DUPLEX = 0x3
PIPE_TYPE_MESSAGE = 0x4
PIPE_READMODE_MESSAGE = 0x2
PIPE_NOWAIT = 0x1
PIPE_REJECT_REMOTE_CLIENTS = 0x8
GENERIC_READ = 0x80000000
GENERIC_WRITE = 0x40000000
OPEN_EXISTING = 3
TOKEN_QUERY = 0x8
TOKEN_USER_CLASS = 1
BUFFER = 64 * 1024


class SECURITY_ATTRIBUTES(ctypes.Structure):
    _fields_ = [
        ("nLength", wintypes.DWORD),
        ("lpSecurityDescriptor", ctypes.c_void_p),
        ("bInheritHandle", wintypes.BOOL),
    ]


_k32.CreateNamedPipeW.restype = HANDLE
_k32.CreateNamedPipeW.argtypes = [
    wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, wintypes.DWORD,
    wintypes.DWORD, wintypes.DWORD, wintypes.DWORD, ctypes.c_void_p,
]
_k32.CreateFileW.restype = HANDLE
_k32.CreateFileW.argtypes = [
    wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, ctypes.c_void_p,
    wintypes.DWORD, wintypes.DWORD, HANDLE,
]
_k32.ConnectNamedPipe.argtypes = [HANDLE, ctypes.c_void_p]
_k32.DisconnectNamedPipe.argtypes = [HANDLE]
_k32.CloseHandle.argtypes = [HANDLE]
_k32.ReadFile.argtypes = [HANDLE, ctypes.c_void_p, wintypes.DWORD, ctypes.POINTER(wintypes.DWORD), ctypes.c_void_p]
_k32.WriteFile.argtypes = [HANDLE, ctypes.c_void_p, wintypes.DWORD, ctypes.POINTER(wintypes.DWORD), ctypes.c_void_p]
_k32.SetNamedPipeHandleState.argtypes = [HANDLE, ctypes.POINTER(wintypes.DWORD), ctypes.c_void_p, ctypes.c_void_p]
_k32.GetCurrentProcess.restype = HANDLE
_k32.LocalFree.argtypes = [ctypes.c_void_p]
_adv.OpenProcessToken.argtypes = [HANDLE, wintypes.DWORD, ctypes.POINTER(HANDLE)]
_adv.GetTokenInformation.argtypes = [HANDLE, ctypes.c_int, ctypes.c_void_p, wintypes.DWORD, ctypes.POINTER(wintypes.DWORD)]
_adv.ConvertSidToStringSidW.argtypes = [ctypes.c_void_p, ctypes.POINTER(wintypes.LPWSTR)]
_adv.ConvertStringSecurityDescriptorToSecurityDescriptorW.argtypes = [
    wintypes.LPCWSTR, wintypes.DWORD, ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p,
]


def _fail(funcname):
    code = ctypes.get_last_error()
    return Pipe_Error(code, funcname, ctypes.FormatError(code).strip())


def _user_sid():
    token = HANDLE()
    if not _adv.OpenProcessToken(_k32.GetCurrentProcess(), TOKEN_QUERY, ctypes.byref(token)):
        raise _fail("OpenProcessToken")
    try:
        size = wintypes.DWORD(0)
        _adv.GetTokenInformation(token, TOKEN_USER_CLASS, None, 0, ctypes.byref(size))
        buf = ctypes.create_string_buffer(size.value)
        if not _adv.GetTokenInformation(token, TOKEN_USER_CLASS, buf, size, ctypes.byref(size)):
            raise _fail("GetTokenInformation")
        # TOKEN_USER starts with the SID pointer.
        sid = ctypes.cast(buf, ctypes.POINTER(ctypes.c_void_p))[0]
        text = wintypes.LPWSTR()
        if not _adv.ConvertSidToStringSidW(sid, ctypes.byref(text)):
            raise _fail("ConvertSidToStringSidW")
        try:
            return text.value
        finally:
            _k32.LocalFree(text)
    finally:
        _k32.CloseHandle(token)


def _security():
    sd = ctypes.c_void_p()
    sddl = "D:P(A;;GA;;;%s)(A;;GA;;;SY)" % _user_sid()
    if not _adv.ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, 1, ctypes.byref(sd), None):
        raise _fail("ConvertStringSecurityDescriptorToSecurityDescriptorW")
    attrs = SECURITY_ATTRIBUTES(ctypes.sizeof(SECURITY_ATTRIBUTES), sd, False)
    return attrs, sd


def _path(name):
    if not name or "/" in name or "\\" in name or "\0" in name or name in (".", ".."):
        raise ValueError("bad pipe name %r" % (name,))
    return "\\\\.\\pipe\\" + name


# Served names: a new Pipe_Server for a name this process serves replaces the old one
# (a module's main() runs again after the game went away).
_served = {}


class _Conn:
    def __init__(self, handle, path):
        self.handle = handle
        self.path = path
        self.nowait = False

    def _mode(self, block):
        if self.nowait == (not block):
            return
        mode = wintypes.DWORD(PIPE_READMODE_MESSAGE | (0 if block else PIPE_NOWAIT))
        if not _k32.SetNamedPipeHandleState(self.handle, ctypes.byref(mode), None, None):
            raise _fail("SetNamedPipeHandleState")
        self.nowait = not block

    def _gone(self, funcname):
        code = ctypes.get_last_error()
        if code in (ERROR_BROKEN_PIPE, ERROR_NO_DATA, ERROR_PIPE_NOT_CONNECTED):
            self.lost()
            return _broken(funcname)
        return Pipe_Error(code, funcname, ctypes.FormatError(code).strip())

    def lost(self):
        pass

    def read(self, block=True):
        self._mode(block)
        parts = []
        buf = ctypes.create_string_buffer(BUFFER)
        while True:
            n = wintypes.DWORD(0)
            if _k32.ReadFile(self.handle, buf, BUFFER, ctypes.byref(n), None):
                parts.append(buf.raw[: n.value])
                return b"".join(parts)
            code = ctypes.get_last_error()
            if code == ERROR_MORE_DATA:
                parts.append(buf.raw[: n.value])
                continue
            if code == ERROR_NO_DATA and not block and not parts:
                return None
            raise self._gone("ReadFile")

    def write(self, data):
        self._mode(True)
        n = wintypes.DWORD(0)
        if not _k32.WriteFile(self.handle, data, len(data), ctypes.byref(n), None):
            raise self._gone("WriteFile")

    def close(self):
        if self.handle is not None:
            _k32.CloseHandle(self.handle)
            self.handle = None


class _ServerConn(_Conn):
    def __init__(self, handle, path):
        _Conn.__init__(self, handle, path)
        self.is_connected = False

    def lost(self):
        # Ready for the next client on the same instance.
        _k32.DisconnectNamedPipe(self.handle)
        self.is_connected = False


class ServerEnd:
    def __init__(self, name):
        self.path = _path(name)
        old = _served.pop(self.path, None)
        if old is not None:
            old.close()
        attrs, self._sd = _security()
        handle = _k32.CreateNamedPipeW(
            self.path,
            PIPE_ACCESS_DUPLEX,
            PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_REJECT_REMOTE_CLIENTS,
            1,
            BUFFER,
            BUFFER,
            0,
            ctypes.byref(attrs),
        )
        if handle == INVALID_HANDLE_VALUE:
            raise _fail("CreateNamedPipe")
        self.conn = _ServerConn(handle, self.path)
        _served[self.path] = self

    def connected(self):
        return self.conn.handle is not None and self.conn.is_connected

    def accept(self):
        if self.connected():
            return
        if not _k32.ConnectNamedPipe(self.conn.handle, None):
            if ctypes.get_last_error() != ERROR_PIPE_CONNECTED:
                raise _fail("ConnectNamedPipe")
        self.conn.is_connected = True

    def read(self, block=True):
        if not self.connected():
            self.accept()
        return self.conn.read(block)

    def write(self, data):
        if not self.connected():
            self.accept()
        self.conn.write(data)

    def close(self):
        if self.conn.handle is not None:
            _k32.DisconnectNamedPipe(self.conn.handle)
            self.conn.close()
        if self._sd:
            _k32.LocalFree(self._sd)
            self._sd = None
        if _served.get(self.path) is self:
            del _served[self.path]


def connect(name):
    path = _path(name)
    handle = _k32.CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, None, OPEN_EXISTING, 0, None)
    if handle == INVALID_HANDLE_VALUE:
        raise _fail("CreateFile")
    conn = _Conn(handle, path)
    mode = wintypes.DWORD(PIPE_READMODE_MESSAGE)
    if not _k32.SetNamedPipeHandleState(handle, ctypes.byref(mode), None, None):
        conn.close()
        raise _fail("SetNamedPipeHandleState")
    return conn
