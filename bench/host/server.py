"""A real ComfyUI server for the soak run and the host tests: main.py in a subprocess on the loopback address.

Never imports ComfyUI: it runs `main.py` of the checkout it is given, with its own base directory (custom_nodes,
models, input, output, user settings, server.log), and talks to it over HTTP.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

STARTUP_TIMEOUT = 300  # seconds: ComfyUI imports torch and every built-in node first


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, payload=None, raw=False, timeout=60):
    """(status, body) of a GET, or of a POST of `payload` as JSON; body parsed as JSON where it is JSON (raw: bytes)."""
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    if raw:
        return status, body
    try:
        return status, json.loads(body or b"null")
    except ValueError:
        return status, body.decode(errors="replace")



def combo_choices(input_spec):
    """The choices of a combo input, as INPUT_TYPES or /object_info gives it, in either form the frontend reads
    (its getComboSpecComboOptions): a V1 node's `[[choice, ...], {options}]`, or a V3 node's
    `["COMBO", {"options": [choice, ...]}]` (KSamplerSelect in ComfyUI 0.38.1, AlignYourStepsScheduler in 0.3.64).
    Anything else is not a combo: ValueError, so a test that reads an input of another type fails rather than
    counting no choices."""
    kind = input_spec[0]
    if isinstance(kind, (list, tuple)):
        return list(kind)
    options = input_spec[1] if len(input_spec) > 1 else {}
    if kind == "COMBO" and isinstance(options.get("options"), (list, tuple)):
        return list(options["options"])
    raise ValueError(f"not a combo input: {input_spec!r}")

class ComfyServer:
    """ComfyUI's main.py on 127.0.0.1 with `base` as its base directory; ready when the constructor returns.

    frontend: "bundled" serves the real web frontend (its pip package); "empty" an empty page, for API-only runs
    that need none of it; or the path of another frontend's static folder (served with --front-end-root).
    threads: the server's torch CPU threads (None: torch's default).
    """

    def __init__(self, comfyui_path, base, frontend="bundled", threads=None, timeout=STARTUP_TIMEOUT):
        if frontend not in ("bundled", "empty") and not (Path(frontend) / "index.html").is_file():
            raise ValueError(f"frontend must be 'bundled', 'empty' or a frontend's static folder, got {frontend!r}")
        self.base = Path(base).absolute()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.base / "server.log"
        command = [sys.executable, "main.py", "--cpu", "--listen", "127.0.0.1", "--port", str(self.port),
                   "--base-directory", str(self.base), "--disable-auto-launch"]
        if frontend == "empty":
            root = self.base / "frontend"
            root.mkdir(exist_ok=True)
            (root / "index.html").write_text("<html></html>")
            command += ["--front-end-root", str(root)]
        elif frontend != "bundled":
            command += ["--front-end-root", str(Path(frontend).absolute())]
        env = dict(os.environ)
        if threads is not None:
            env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(command, cwd=comfyui_path, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            self.object_info = self.wait_ready(timeout)
        except BaseException:
            self.close()
            raise

    def wait_ready(self, timeout):
        """/object_info once the server answers; RuntimeError with the log's tail if it exits or times out."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"ComfyUI exited during start-up:\n{self.log_tail()}")
            try:
                return self.get("/object_info")[1]
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"ComfyUI did not start within {timeout} s:\n{self.log_tail()}") from None
                time.sleep(0.5)

    def log(self):
        return self.log_path.read_text(errors="replace")

    def log_tail(self, chars=4000):
        return self.log()[-chars:]

    def request(self, path, payload=None, raw=False):
        return fetch(self.url + path, payload, raw=raw)

    def get(self, path):
        return self.request(path)

    def post(self, path, payload):
        return self.request(path, payload)

    def rss_bytes(self):
        """The server's resident memory (VmRSS), read from /proc."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS in /proc/<pid>/status")

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
