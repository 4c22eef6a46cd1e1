"""The `notify:` entries of config.yaml: where events go, which ones, and how hard to retry."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

ChangeKind = Literal["new", "changed", "reverted", "removed", "restored", "moved"]
DEFAULT_KINDS: tuple[ChangeKind, ...] = ("new", "changed", "reverted", "removed", "restored", "moved")


def _duration(value: Any) -> float:
    from monitor.config import parse_duration  # config.py imports this module: import at call time

    return parse_duration(value)


_Seconds = Annotated[float, BeforeValidator(_duration)]


class NotifyTarget(BaseModel):
    """One receiver of story events: a webhook URL (JSON POST) or an Apprise URL, with its filters."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    webhook: str | None = None  # http(s) URL receiving one JSON POST per event
    apprise: str | None = None  # any Apprise URL (`pip install -e '.[apprise]'`)
    name: str | None = None  # stable name in the database (default: derived from the URL)
    secret: str | None = None  # webhook: sign the body with HMAC-SHA256 (X-Monitor-Signature header)
    sites: tuple[str, ...] = ()  # only these sites (default: all)
    kinds: tuple[ChangeKind, ...] = DEFAULT_KINDS
    minor: bool = False  # also date-only changes
    min_words: int = Field(default=0, ge=0)  # a `changed` event needs this many words added plus removed
    words: tuple[str, ...] = ()  # only events whose title or changed words contain one of these
    timeout: _Seconds = 10.0  # one delivery attempt
    backoff_min: _Seconds = 5.0  # first wait after a failed attempt; doubles per failure...
    backoff_max: _Seconds = 600.0  # ...up to this

    @field_validator("webhook")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is not None and urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"a webhook must be an http:// or https:// URL, got {url!r}")
        return url

    @model_validator(mode="after")
    def _one_receiver(self) -> NotifyTarget:
        if (self.webhook is None) == (self.apprise is None):
            raise ValueError("give exactly one of `webhook: URL` or `apprise: URL`")
        if self.backoff_max < self.backoff_min:
            raise ValueError("backoff_max must not be shorter than backoff_min")
        return self

    @property
    def kind(self) -> str:
        return "webhook" if self.webhook is not None else "apprise"

    @property
    def url(self) -> str:
        return self.webhook if self.webhook is not None else str(self.apprise)

    @property
    def key(self) -> str:
        """The target's name in the database: `name`, or the kind plus a hash of the URL."""
        if self.name:
            return self.name
        return f"{self.kind}-{hashlib.sha256(self.url.encode()).hexdigest()[:12]}"

    @property
    def address(self) -> str:
        """The URL without credentials, query or fragment: safe to store and print."""
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}{parts.path}"


NOTIFY_KEYS = tuple(NotifyTarget.model_fields)
