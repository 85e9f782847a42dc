"""{{ ext.id }}: the Python side of the mod, run by the X4 Python pipe host.

The host imports this file after the mod's MD registers it (Register_Module) and
runs main() in a thread. This one echoes every message back on the pipe '{{ pipe }}'.
Made by `x4pipe new-extension`; this file is yours to change.
"""
try:
    from X4_Python_Pipe_Server import Pipe_Server
except ImportError:
    # Linux, where the Windows pipe host does not run: the Named Pipes API ships the
    # server end of its Linux transport as python/x4pipe_server.py (put that folder on
    # PYTHONPATH and run this file directly).
    from x4pipe_server import Pipe_Server


def main():
    pipe = Pipe_Server({{ pipe | py_str }})
    while True:
        try:
            message = pipe.Read()
            pipe.Write(message)
        except ConnectionResetError:
            # The game closed the pipe (reload, quit): wait for it to come back.
            continue


if __name__ == "__main__":
    main()
