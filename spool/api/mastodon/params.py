"""Mastodon clients send parameters as a query string, a form (``media_ids[]=1&poll[options][]=a``), a
multipart body or JSON, on POST, PUT and PATCH alike. ``read_params`` turns any of them into one nested dict;
``validated`` checks it against a pydantic model and answers 422 with a readable message."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import pydantic
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError

from spool.core.errors import ValidationError

M = TypeVar("M", bound=pydantic.BaseModel)


def read_params(request: HttpRequest) -> dict[str, Any]:
    """Query parameters, overlaid with the body's (JSON, urlencoded or multipart, on any method)."""
    params = _nest(request.GET)
    content_type = request.content_type or ""
    if request.method in ("GET", "HEAD", "DELETE") and not request.body:
        return params
    if content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise ValidationError(
                "Validation failed: the body is not valid JSON", code="invalid_json"
            ) from None
        if not isinstance(body, dict):
            raise ValidationError("Validation failed: the body must be a JSON object", code="invalid_json")
        params.update(body)
    elif content_type == "multipart/form-data":
        form, files = _multipart(request)
        params.update(_nest(form))
        params.update({key: files.getlist(key) if key.endswith("[]") else files[key] for key in files})
    elif request.body:
        params.update(_nest(QueryDict(request.body, encoding=request.encoding)))
    return params


def validated(model: type[M], params: dict[str, Any]) -> M:
    try:
        return model.model_validate(params)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = first["msg"]
        raise ValidationError(
            f"Validation failed: {where}: {message}" if where else f"Validation failed: {message}",
            code="invalid",
            field=where or None,
        ) from None


def _multipart(request: HttpRequest) -> tuple[QueryDict, Any]:
    if request.method == "POST":
        return request.POST, request.FILES
    try:
        stream: Any = request  # HttpRequest is file-like, which is what the parser reads
        parser = MultiPartParser(request.META, stream, request.upload_handlers, request.encoding)
        return parser.parse()
    except MultiPartParserError:
        raise ValidationError("Validation failed: the multipart body is malformed", code="invalid") from None


def _nest(data: QueryDict) -> dict[str, Any]:
    """``a[]=1&a[]=2`` → ``{"a": ["1", "2"]}``; ``poll[options][]=x&poll[expires_in]=60`` →
    ``{"poll": {"options": ["x"], "expires_in": "60"}}``; plain keys stay strings."""
    out: dict[str, Any] = {}
    for key in data:
        values = data.getlist(key)
        path = key.replace("]", "").split("[")
        is_list = path[-1] == ""
        if is_list:
            path = path[:-1]
        node = out
        for part in path[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[path[-1]] = list(values) if is_list else values[-1]
    return out
