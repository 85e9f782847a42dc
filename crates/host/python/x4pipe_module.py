"""Runs one Python module for `x4pipe host` (written by x4pipe; not for editing).

Usage: python -u x4pipe_module.py <module file>

Imports the module the way the original X4 Python Pipe Server did (as
user_module_<name>), then runs its main() - with the original's argument dict
{'test': False} if main takes an argument - again whenever the game goes away, as the
original's Server_Thread did. Exit codes: 0 main() returned, 3 the module has no
main(), 1 anything raised (the traceback is on stderr for the host's log).
"""

import importlib.util
import os
import signal
import sys
import threading
import traceback


def _exit_with_host():
    # The host keeps our stdin open and never writes to it: end-of-file means the
    # host is gone (even if it was killed), so the module must go too.
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except Exception:
        pass
    os._exit(0)


def _run(path):
    # Ctrl-C in the host's console reaches us too; the host stops us itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_host, daemon=True).start()

    sys.path.append(os.path.dirname(os.path.abspath(path)))
    stem = os.path.splitext(os.path.basename(path))[0]
    name = "user_module_" + stem.replace(" ", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    print("Imported " + path)

    entry = getattr(module, "main", None)
    if not callable(entry):
        print('Module lacks "main()": ' + path)
        return 3

    from X4_Python_Pipe_Server.Classes import run_entry

    run_entry(entry, test=False)
    return 0


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: x4pipe_module.py MODULE_FILE")
    # One stream for the host's log, so a traceback stays in order with prints.
    sys.stderr.flush()
    os.dup2(sys.stdout.fileno(), sys.stderr.fileno())
    try:
        code = _run(sys.argv[1])
    except SystemExit as ex:
        code = ex.code if isinstance(ex.code, int) else (0 if ex.code is None else 1)
        if not isinstance(ex.code, int) and ex.code is not None:
            print(ex.code)
    except BaseException:
        traceback.print_exc()
        code = 1
    # os._exit: the stdin watcher thread must not hold up the interpreter's shutdown.
    sys.stdout.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
