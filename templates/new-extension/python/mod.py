"""{{ ext.id | py_doc }}: the Python side of the mod, run by the Python pipe host.

Start the host outside the game with `x4pipe host --allow {{ ext.id | py_doc }}` (Linux and
Windows). When the mod's MD registers this file (Register_Module), the host runs
main() in its own Python process, again whenever the game reconnects, and restarts it
if it crashes. This one echoes every message back on the pipe '{{ pipe | py_doc }}'.
It uses only the X4_Python_Pipe_Server API, so the original X4 Python pipe host runs
it too. Made by `x4pipe new-extension`; this file is yours to change.
"""
from X4_Python_Pipe_Server import Pipe_Server


def main(args=None):
    pipe = Pipe_Server({{ pipe | py_str }})
    pipe.Connect()
    while True:
        # When the game goes away, Read/Write raise and the host runs main() again.
        message = pipe.Read()
        pipe.Write(message)
