"""Helpers for editor before/after tests."""

from __future__ import annotations

from gitops_bot.edit.base import RemovalContext
from gitops_bot.domain.names import service_name

KNOWN = {"auth-service", "user-service", "video-service", "board-service", "video-service-gateway",
         "livekit", "chat-service"}


def ctx(name: str = "video-service") -> RemovalContext:
    return RemovalContext(service_name(name, KNOWN))


def dedent(text: str) -> str:
    """Strip the common indentation of a triple-quoted block and its first newline."""
    import textwrap

    return textwrap.dedent(text).lstrip("\n")
