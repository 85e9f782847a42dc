"""X4_Python_Pipe_Server as provided by `x4pipe host`.

Modules written for the original X4 Python Pipe Server import from here unchanged:

    from X4_Python_Pipe_Server import Pipe_Server, Pipe_Client

    def main(args):            # or main() without arguments
        pipe = Pipe_Server('my_pipe')
        pipe.Connect()
        while True:
            pipe.Write(pipe.Read())

The pipes use x4pipe's transport: Windows named pipes in message mode (through
ctypes; no pywin32 needed), and on Linux the AF_UNIX SOCK_SEQPACKET sockets with the
chunk framing of x4pipe's native library.
"""

from .Classes import (
    Client_Garbage_Collected,
    Pipe_Client,
    Pipe_Error,
    Pipe_Server,
    Server_Thread,
)

__all__ = [
    "Pipe_Server",
    "Pipe_Client",
    "Client_Garbage_Collected",
    "Pipe_Error",
    "Server_Thread",
]
