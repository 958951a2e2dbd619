"""What the resilience scripts share: a free loopback port, the binary to run, and
starting a `phongtrao serve` that answers /healthz."""
import http.client
import os
import socket
import subprocess
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def default_binary():
    """PHONGTRAO_BIN, else the repository's debug build (${CARGO_TARGET_DIR:-target}/debug/phongtrao)."""
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target")
    return os.environ.get("PHONGTRAO_BIN", os.path.join(target, "debug", "phongtrao"))


def serve(binary, args, port, env, cwd=None, timeout=60):
    """Starts `binary serve ARGS --bind 127.0.0.1:PORT` and waits until /healthz answers 200."""
    proc = subprocess.Popen(
        [binary, "serve", *args, "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd,
    )
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on {port} exited with {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start")
