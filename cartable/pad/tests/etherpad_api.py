"""Calling the Etherpad-compatible API as its clients do (the ``api`` fixture is in conftest)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

API_KEY = "test-api-key-0123456789abcdef"


class EtherpadApi:
    """``api("getText", padID="x")`` → the decoded answer; ``api.last`` is the response."""

    def __init__(self, client: Client, version: str = "1.3.0") -> None:
        self.client = client
        self.version = version
        self.last: Any = None

    def __call__(
        self,
        function: str,
        *,
        method: str = "GET",
        version: str | None = None,
        key: str | None = API_KEY,
        **params: Any,
    ) -> dict[str, Any]:
        path = f"/pad/api/{version or self.version}/{function}"
        data = {k: v for k, v in params.items() if v is not None}
        if key is not None:
            data["apikey"] = key
        if method == "GET":
            self.last = self.client.get(path, data)
        elif method == "POST":
            self.last = self.client.post(path, data)
        elif method == "JSON":
            self.last = self.client.post(path, json.dumps(data), content_type="application/json")
        else:
            self.last = self.client.generic(method, path)
        return self.last.json()

    def ok(self, function: str, **params: Any) -> Any:
        """The data of a call that must succeed."""
        answer = self(function, **params)
        assert answer["code"] == 0, answer
        assert answer["message"] == "ok"
        return answer["data"]

    def error(self, function: str, **params: Any) -> str:
        """The message of a call that must fail with wrong parameters (code 1, HTTP 200)."""
        answer = self(function, **params)
        assert answer["code"] == 1, answer
        assert self.last.status_code == 200
        assert answer["data"] is None
        return str(answer["message"])
