"""RemoteMonitor against a real HTTP server on 127.0.0.1 (loopback only)."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from callback_helpers import binary_data, binary_model

from strata.callbacks import RemoteMonitor


@pytest.fixture
def server(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers.get("Content-Type"), dict(self.headers), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", received
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def test_posts_each_epoch_as_a_form_field(server):
    root, received = server
    x, y = binary_data(n=32)
    model = binary_model()
    history = model.fit(
        x, y, epochs=2, verbose=0, callbacks=[RemoteMonitor(root=root, headers={"X-Run": "7"})]
    )
    assert len(received) == 2
    for epoch, (path, content_type, headers, body) in enumerate(received):
        assert path == "/publish/epoch/end/"
        assert content_type == "application/x-www-form-urlencoded"
        assert headers["X-Run"] == "7"
        (data,) = urllib.parse.parse_qs(body.decode())["data"]
        payload = json.loads(data)
        assert payload == {
            "epoch": epoch,
            "acc": history.history["acc"][epoch],
            "loss": history.history["loss"][epoch],
        }


def test_posts_json_bodies(server):
    root, received = server
    monitor = RemoteMonitor(root=root, path="/events", send_as_json=True)
    monitor.on_epoch_end(3, {"loss": 0.25})
    ((path, content_type, _, body),) = received
    assert (path, content_type) == ("/events", "application/json")
    assert json.loads(body) == {"epoch": 3, "loss": 0.25}


def test_unreachable_server_only_warns(monkeypatch):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.delenv("http_proxy", raising=False)
    monitor = RemoteMonitor(root=f"http://127.0.0.1:{port}", timeout=5)
    with pytest.warns(UserWarning, match="could not reach"):
        monitor.on_epoch_end(0, {"loss": 1.0})
