"""The warm template: one interpreter that imports wandb once and forks a fresh child per trial.

This file is run as `python -c BOOT THIS_FILE FD PRELOAD` (BOOT compiles and runs it), started by
`runner/warm.py` with the interpreter a trial would get; it imports nothing of sweepbridge (the trial's
Python need not have it). FD is one end of a socket pair; PRELOAD the modules the runner suggests
(comma-separated).

Start-up, before anything forks (so the template is single-threaded when it forks):
1. a *learning* child (forked) makes one throw-away offline wandb run in a temporary directory and
   reports the modules that run imported (wandb imports much of itself lazily at `wandb.init`); the
   template imports them;
2. a *probe* child imports the modules the runner names (the program's own top-level imports), one
   by one, and reports which started a thread (counted in /proc/self/task, so C threads count too);
3. the template imports the modules that started none, and checks it runs no other thread. Threads
   of FORK_AWARE libraries are allowed: wandb imports numpy, whose OpenBLAS / MKL pool is re-created
   in a forked child (pthread_atfork), and Arrow (pyarrow >= 12, imported by pandas and Ray Tune)
   re-creates its thread pools the same way.
   The template then reports `{"ready": ...}`, or `{"error": ...}` when it cannot start.

Messages are SOCK_SEQPACKET datagrams. A request `{"id", "argv", "main", "args", "env", "cwd"}`
carries two file descriptors, the trial's stdout (its log file) and stderr (a pipe the runner
reads); the answer is `{"id", "pid"}`, and
later `{"pid", "status"}` (the exit status as `subprocess` reports it: negative = killed by that
signal). A child is what `python PROGRAM ARGS` / `python -m MODULE ARGS` would be in a new process:
its own process group, stdin at end of file, stdout and stderr to the descriptors sent, the request's working
directory and environment, signal dispositions as at interpreter start-up, `sys.argv` and
`sys.path[0]` as the interpreter sets them, the program run as `__main__`, then the interpreter's
exit sequence (non-daemon threads joined, atexit handlers, streams flushed, exit status as Python's).
Module state never leaks between trials: each is a fork of the template, never a reused process.
When the socket closes (the runner is gone) the template kills every child's process group and exits.
"""

import json
import os
import selectors
import signal
import socket
import sys


def _ignored_at_start():
    """The signals this interpreter started with ignored: inherited from the runner (e.g. SIGINT under `nohup` or
    a non-interactive shell's `&`) or set by Python itself; a cold trial starts with the same."""
    out = set()
    for sig in range(1, signal.NSIG):
        try:
            if signal.getsignal(sig) == signal.SIG_IGN:
                out.add(sig)
        except (OSError, ValueError):
            pass
    return out


IGNORED_AT_START = _ignored_at_start()

FORK_AWARE = ("numpy", "pyarrow")
"""Imported first, where installed: libraries whose threads are re-created in a forked child by their
own at-fork handlers (OpenBLAS / MKL; Arrow's thread pools). Any other thread stops the preloading."""


def os_threads():
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        import threading

        return threading.active_count()


def send(sock, message):
    sock.send(json.dumps(message).encode())


def in_child(work):
    """Run `work()` in a forked child; its return value (JSON) comes back through a pipe."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(read)
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            data = json.dumps(work()).encode()
            with os.fdopen(write, "wb") as out:
                out.write(data)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as inp:
        data = inp.read()
    os.waitpid(pid, 0)
    return json.loads(data) if data else None


def learn():
    """The modules one offline wandb run imports (wandb.init, log, finish)."""
    import tempfile

    import wandb

    before = set(sys.modules)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(WANDB_MODE="offline", WANDB_SILENT="true", WANDB_DIR=tmp)
        for key in ("WANDB_RUN_ID", "WANDB_SWEEP_PARAM_PATH", "WANDB_SWEEP_ID", "WANDB_PROJECT", "WANDB_ENTITY"):
            os.environ.pop(key, None)
        run = wandb.init(project="sweepbridge-warm-up", dir=tmp)
        run.log({"x": 1.0})
        run.finish()
    return [name for name in sys.modules if name not in before]


def probe(names):
    """Import each module in order: the ones that imported without starting a thread."""
    import_fork_aware()
    baseline = os_threads()
    safe = []
    for name in names:
        if name in sys.modules:
            safe.append(name)
            continue
        try:
            __import__(name)
        except BaseException:
            continue
        if os_threads() > baseline:
            return safe  # everything after it might depend on that thread: stop here
        safe.append(name)
    return safe


def preload(extra):
    """Import what a trial will import; (modules imported, threads allowed, threads now)."""
    import wandb  # noqa: F401  (the one import a trial always needs)

    learned = [n for n in in_child(learn) or [] if n != "__main__"]
    import_fork_aware()
    baseline = os_threads()
    for name in learned:  # wandb's own lazy imports (checked below: they must start no thread)
        try:
            __import__(name)
        except BaseException:
            pass
    if os_threads() > baseline:
        return 0, baseline, os_threads()
    wanted = [n for n in dict.fromkeys(extra) if n not in sys.modules]
    safe = (in_child(lambda: probe(wanted)) or []) if wanted else []
    for name in safe:
        try:
            __import__(name)
        except BaseException:
            pass
    return len(learned) + len(safe), baseline, os_threads()


def import_fork_aware():
    for name in FORK_AWARE:
        try:
            __import__(name)
        except BaseException:
            pass


def reset_signals():
    """Dispositions as at interpreter start-up: what the template started with ignored stays ignored (Python
    ignores SIGPIPE and SIGXFSZ; an inherited ignored SIGINT stays so), SIGINT raises, the rest default."""
    signal.set_wakeup_fd(-1)
    for sig in range(1, signal.NSIG):
        if sig in (signal.SIGKILL, signal.SIGSTOP):
            continue
        try:
            signal.signal(sig, signal.SIG_IGN if sig in IGNORED_AT_START else signal.SIG_DFL)
        except (OSError, ValueError, RuntimeError):
            pass
    if signal.SIGINT not in IGNORED_AT_START:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def die_with_parent(parent):
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG, as a cold trial
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def run_main(main, argv):
    """Run the program as `python` would; return the exit status."""
    import builtins
    import threading
    import types

    kind, target = main
    try:
        if kind == "module":
            import runpy

            sys.argv = ["-m", *argv]
            sys.path[0] = os.getcwd()
            runpy._run_module_as_main(target, alter_argv=True)
        else:
            from importlib.machinery import SourceFileLoader

            sys.argv = [target, *argv]
            path = os.path.abspath(target)  # __file__ of a script is absolute (Python >= 3.9)
            sys.path[0] = os.path.dirname(os.path.realpath(target))  # the script's folder, links resolved
            module = types.ModuleType("__main__")
            module.__dict__.update(__file__=path, __builtins__=builtins, __cached__=None, __package__=None)
            module.__loader__ = SourceFileLoader("__main__", path)
            sys.modules["__main__"] = module
            with open(path, "rb") as f:
                source = f.read()
            exec(compile(source, path, "exec"), module.__dict__)
        code = 0
    except SystemExit as exc:
        code = exit_code(exc.code)
    except KeyboardInterrupt:
        sys.excepthook(*sys.exc_info())
        code = -signal.SIGINT
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    try:
        threading._shutdown()
    except BaseException:
        pass
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    return code


def exit_code(value):
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    try:
        print(value, file=sys.stderr)
    except BaseException:
        pass
    return 1


def child(request, fds, closing, parent):
    code = 1
    try:
        reset_signals()
        os.setpgid(0, 0)
        die_with_parent(parent)
        for fd in closing:
            os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(fds[0], 1)
        os.dup2(fds[1], 2)
        for fd in (null, *fds):
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.orig_argv = list(request["argv"])
        if "numpy.random" in sys.modules:  # a new process seeds numpy's global generator from the OS
            sys.modules["numpy.random"].seed()
        code = run_main(request["main"], request["args"])
    except BaseException:
        try:
            import traceback

            traceback.print_exc()
        except BaseException:
            pass
    finally:
        if code < 0:
            signal.signal(-code, signal.SIG_DFL)
            os.kill(os.getpid(), -code)
        os._exit(code)


def serve(sock, wake, wake_write):
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ, "sock")
    selector.register(wake, selectors.EVENT_READ, "wake")
    children = set()
    me = os.getpid()
    while True:
        for key, _ in selector.select(timeout=1.0):
            if key.data == "wake":
                try:
                    os.read(wake, 512)
                except BlockingIOError:
                    pass
                continue
            data, fds, _, _ = socket.recv_fds(sock, 1 << 20, 2)
            if not data:  # the runner is gone: nothing of the sweep may keep running
                for pid in children:
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except OSError:
                        pass
                return
            request = json.loads(data)
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
            pid = os.fork()
            if pid == 0:
                child(request, fds, (sock.fileno(), wake, wake_write, selector.fileno()), me)
            for fd in fds:
                os.close(fd)
            children.add(pid)
            send(sock, {"id": request["id"], "pid": pid})
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            children.discard(pid)
            send(sock, {"pid": pid, "status": os.waitstatus_to_exitcode(status)})


def main():
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET, fileno=int(sys.argv[2]))
    extra = [n for n in sys.argv[3].split(",") if n] if len(sys.argv) > 3 else []
    try:
        count, baseline, threads = preload(extra)
    except BaseException as exc:
        send(sock, {"error": f"{type(exc).__name__}: {exc}"})
        return
    if threads > baseline:
        send(sock, {"error": "a thread started while the template imported modules: forking it is unsafe"})
        return
    import threading

    if threading.active_count() > 1:
        names = ", ".join(t.name for t in threading.enumerate() if t is not threading.main_thread())
        send(sock, {"error": f"a thread started while importing ({names}): forking is unsafe"})
        return
    read, write = os.pipe()
    os.set_blocking(read, False)
    os.set_blocking(write, False)
    signal.set_wakeup_fd(write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    send(sock, {"ready": True, "modules": count, "python": sys.executable})
    serve(sock, read, write)


main()
