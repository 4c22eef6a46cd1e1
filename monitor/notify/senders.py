"""Sending one notice to one target: a signed JSON POST to a webhook, or a message through Apprise."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import warnings
from dataclasses import dataclass

import httpx

from monitor.notify.events import Notice
from monitor.notify.settings import NotifyTarget

SIGNATURE_HEADER = "X-Monitor-Signature"
USER_AGENT = "monitor-notify/0.1"
# Answers that mean "this request will never be accepted": the event is given up (and recorded as failed).
# Every other failure (connection errors, timeouts, 408, 429, 5xx) is retried with back-off.
_RETRIED_CLIENT_ERRORS = frozenset({408, 425, 429})


@dataclass(frozen=True, slots=True)
class SendResult:
    ok: bool
    error: str | None = None
    retry: bool = True  # False: the receiver refused this event for good


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the raw body>`: what a receiver recomputes to trust a webhook."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def send(client: httpx.AsyncClient, target: NotifyTarget, notice: Notice) -> SendResult:
    if target.webhook is not None:
        return await _send_webhook(client, target, target.webhook, notice)
    return await _send_apprise(target, notice)


async def _send_webhook(
    client: httpx.AsyncClient, target: NotifyTarget, url: str, notice: Notice
) -> SendResult:
    body = notice.payload().encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Monitor-Event": notice.event,
        "X-Monitor-Event-Id": notice.event_id,
    }
    if target.secret:
        headers[SIGNATURE_HEADER] = signature(target.secret, body)
    try:
        response = await client.post(url, content=body, headers=headers, timeout=target.timeout)
    except httpx.HTTPError as error:
        return SendResult(ok=False, error=f"{type(error).__name__}: {error}"[:300] or "request failed")
    if response.is_success:
        return SendResult(ok=True)
    status = response.status_code
    retry = status >= 500 or status in _RETRIED_CLIENT_ERRORS or status < 400
    return SendResult(ok=False, error=f"HTTP {status}", retry=retry)


async def _send_apprise(target: NotifyTarget, notice: Notice) -> SendResult:
    title, message = _apprise_text(notice)
    # Apprise's own HTTP calls block: a worker thread keeps the daemon's loop (and fetching) free.
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(_apprise_notify, str(target.apprise), title, message),
            timeout=target.timeout + 5,
        )
    except TimeoutError:
        return SendResult(ok=False, error=f"Apprise did not answer within {target.timeout + 5:.0f} s")


def _apprise_notify(url: str, title: str, message: str) -> SendResult:
    try:
        with warnings.catch_warnings():  # Apprise loads modules Python deprecates (imghdr): not ours to fix
            warnings.simplefilter("ignore", DeprecationWarning)
            import apprise

            sender = apprise.Apprise()
            if not sender.add(url):
                return SendResult(ok=False, error="Apprise does not understand this URL", retry=False)
            delivered = sender.notify(body=message, title=title)
    except ImportError:
        return SendResult(ok=False, error="apprise is not installed: pip install -e '.[apprise]'")
    except Exception as error:  # a plugin's own error: recorded on the delivery, retried
        return SendResult(ok=False, error=f"Apprise failed: {type(error).__name__}: {error}"[:300])
    return SendResult(ok=True) if delivered else SendResult(ok=False, error="Apprise could not deliver")


def _apprise_text(notice: Notice) -> tuple[str, str]:
    body = notice.body
    title = f"{body['event']} {body['site']}: {body['title'] or body['url']}"
    message = f"{body['summary']}\n{body['url']}"
    if body.get("diff"):
        message += f"\n\n{body['diff'][:3000]}"
    return title, message
