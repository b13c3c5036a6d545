"""GitHub's OpenAPI subset (tests/data/github-openapi/operations.json) for the fake server:
route a request to its operation, validate requests and responses with jsonschema, and build
minimal schema-valid objects for the fake to fill in."""

from __future__ import annotations

import copy
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

SPEC = Path(__file__).resolve().parent.parent / "data" / "github-openapi" / "operations.json"


@lru_cache(maxsize=1)
def operations() -> dict[str, dict[str, Any]]:
    return json.loads(SPEC.read_text())["operations"]


def route(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """(operation key, path parameters) for a request, or None when the bot may not call it."""
    for key in operations():
        op_method, template = key.split(" ", 1)
        if op_method != method:
            continue
        multi = {p["name"] for p in operations()[key]["parameters"] if p.get("x-multi-segment")}
        # A parameter GitHub marks x-multi-segment (a git ref: heads/gitops-bot/x) spans slashes.
        pattern = "^" + re.sub(r"\\{(\w+)\\}",
                               lambda m: f"(?P<{m.group(1)}>{'.+' if m.group(1) in multi else '[^/]+'})",
                               re.escape(template)) + "$"
        m = re.match(pattern, path)
        if m:
            return key, m.groupdict()
    return None


def to_json_schema(schema: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: `nullable: true` becomes a null alternative."""
    if isinstance(schema, list):
        return [to_json_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: to_json_schema(v) for k, v in schema.items() if k not in ("nullable", "example", "examples")}
    if schema.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


@lru_cache(maxsize=None)
def _validator(key: str, part: str, status: str = "") -> jsonschema.Draft4Validator | None:
    op = operations()[key]
    schema = op["requestBody"] if part == "request" else op["responses"].get(status)
    if schema is None:
        return None
    return jsonschema.Draft4Validator(to_json_schema(schema), format_checker=None)


def validate(key: str, part: str, body: Any, status: str = "") -> list[str]:
    """Messages for every way `body` breaks the operation's request or response schema."""
    op = operations()[key]
    if part == "response" and status not in op["responses"]:
        return [f"{key}: status {status} is not a documented response"]
    validator = _validator(key, part, status)
    if validator is None:
        return []
    return [f"{key} {part} {status}: {e.message} at {list(e.absolute_path)}" for e in validator.iter_errors(body)]


def validate_parameters(key: str, path_params: dict[str, str], query: dict[str, str]) -> list[str]:
    """Unknown query parameters, and path/query values outside their declared type or enum."""
    problems = []
    declared = {(p["in"], p["name"]): p.get("schema", {}) for p in operations()[key]["parameters"]}
    for name in query:
        if ("query", name) not in declared:
            problems.append(f"{key}: undocumented query parameter {name}")
    for (where, name), schema in declared.items():
        value = path_params.get(name) if where == "path" else query.get(name)
        if value is None:
            continue
        if schema.get("type") == "integer" and not re.fullmatch(r"\d+", value):
            problems.append(f"{key}: {where} parameter {name}={value!r} is not an integer")
        if "enum" in schema and value not in schema["enum"]:
            problems.append(f"{key}: {where} parameter {name}={value!r} not in {schema['enum']}")
    return problems


def example(key: str, status: str) -> Any:
    """A minimal object valid against the response schema, for the fake to fill in."""
    return copy.deepcopy(_example(json.dumps(operations()[key]["responses"][status], sort_keys=True)))


@lru_cache(maxsize=None)
def _example(schema_json: str) -> Any:
    return build(json.loads(schema_json))


def build(schema: Any) -> Any:
    """The smallest instance of a schema: required properties only, first alternatives."""
    if not isinstance(schema, dict):
        return None
    for combiner in ("allOf",):
        if combiner in schema:
            merged: dict[str, Any] = {}
            for part in schema[combiner]:
                value = build(part)
                if isinstance(value, dict):
                    merged.update(value)
            return merged
    for combiner in ("anyOf", "oneOf"):
        if combiner in schema:
            return build(schema[combiner][0])
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: build(props.get(name, {})) for name in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    if kind == "string":
        fmt = schema.get("format")
        return {"date-time": "2026-11-01T00:00:00Z", "uri": "https://example.com",
                "email": "bot@example.com", "uri-template": "https://example.com{/x}"}.get(fmt, "x")
    return None


def example_at(key: str, status: str, *path: str) -> Any:
    """A minimal instance of a nested part of a response schema (`items` steps into arrays)."""
    schema = operations()[key]["responses"][status]
    for step in path:
        schema = schema["items"] if step == "items" else schema["properties"][step]
    return build(schema)


_BASIC_ERROR = {"type": "object", "required": ["message"],
                "properties": {"message": {"type": "string"}, "documentation_url": {"type": "string"},
                               "url": {"type": "string"}, "status": {"type": "string"}}}


def validate_basic_error(body: Any) -> list[str]:
    """GitHub's basic-error shape, for statuses any operation may return."""
    return [f"basic error: {e.message}" for e in jsonschema.Draft4Validator(_BASIC_ERROR).iter_errors(body)]
