"""RemoteMonitor: send each epoch's logs to a server over HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

from strata.backend import arguments
from strata.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """POSTs `{"epoch": epoch, **logs}` to `root + path` at the end of every epoch.

    A server that cannot be reached gives a warning, never an error: monitoring does not stop
    training.

    Args:
        root: the server's base URL.
        path: the path the events go to.
        field: the form field holding the JSON text (when `send_as_json` is False).
        headers: extra HTTP headers, a dict.
        send_as_json: True sends the JSON as the request body (`application/json`); False
            sends a form (`application/x-www-form-urlencoded`) with the JSON in `field`.
        timeout: seconds to wait for the server before giving up on one event.

    Example:
        >>> import strata
        >>> monitor = strata.callbacks.RemoteMonitor(root="http://localhost:9000")
    """

    # Its effects are output only: in a data-parallel run the first process alone runs it.
    _chief_only = True
    _only_reports = True

    def __init__(
        self,
        root="http://localhost:9000",
        path="/publish/epoch/end/",
        field="data",
        headers=None,
        send_as_json=False,
        timeout=10.0,
    ):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = dict(headers or {})
        self.send_as_json = send_as_json
        self.timeout = arguments.number("RemoteMonitor", "timeout", timeout, low=0.0, low_open=True)

    def on_epoch_end(self, epoch, logs=None):
        payload = {"epoch": epoch}
        for key, value in (logs or {}).items():
            payload[key] = value.item() if hasattr(value, "item") else value
        text = json.dumps(payload)
        headers = dict(self.headers)
        if self.send_as_json:
            body = text.encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: text}).encode("utf-8")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        url = self.root + self.path
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except (urllib.error.URLError, OSError, ValueError) as error:
            warnings.warn(
                f"RemoteMonitor could not reach the server at {url}: {error}", stacklevel=2
            )
