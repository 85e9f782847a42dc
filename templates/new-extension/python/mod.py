"""{{ ext.id }}: the Python side of the mod, run by the X4 Python pipe host.

The host imports this file after the mod's MD registers it (Register_Module) and
runs main() in a thread. This one echoes every message back on the pipe '{{ pipe }}'.
Made by `x4pipe new-extension`; this file is yours to change.
"""
from X4_Python_Pipe_Server import Pipe_Server


def main():
    pipe = Pipe_Server({{ pipe | py_str }})
    while True:
        message = pipe.Read()
        pipe.Write(message)
