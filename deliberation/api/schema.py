"""OpenAPI helpers: the schema says what the input rules say (README "Input rules"),
so clients — and the fuzz test in tests/api/test_fuzz.py — know every answer.

* `ID_SCHEMA` is how an id looks everywhere (path converter `id`, `id_parameter`
  for query filters, `IdField` in bodies).
* `add_error_responses` (a drf-spectacular postprocessing hook) documents the error
  answers every operation can give, all `{"detail": ..., "code"?: ...}` or field
  errors `{"<field>": [...]}`.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter

from deliberation.inputs import MAX_ID

ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def id_parameter(
    name: str, description: str = "", *, required: bool = False
) -> OpenApiParameter:
    """A query filter holding an id (`?unit=`, `?thread=`, ...)."""
    return OpenApiParameter(name, ID_SCHEMA, description=description, required=required)


ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` (and a stable `code`) names the problem; validation "
    "errors map each field (or query parameter) to its messages.",
    "properties": {
        "detail": {
            "oneOf": [
                {"type": "string"},
                {"type": "array", "items": {}},
                {"type": "object"},
            ]
        },
        "code": {"type": "string"},
    },
    "additionalProperties": True,
}

ERRORS = {
    "400": "Bad input: the body or a parameter is refused (named in the answer).",
    "401": "Not signed in, or the token is not valid.",
    "403": "Signed in but not allowed.",
    "404": "No such object (or page), or not visible to you.",
}
WRITE_ERRORS = {
    "409": "Clashes with the current state (e.g. supporting twice).",
    "413": "The body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE.",
    "415": "The body is not JSON, a form or multipart.",
    "422": "An Idempotency-Key reused with a different request.",
    "429": "Too many requests; see Retry-After.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    ref = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in WRITE_METHODS | {"get"}:
                continue
            errors = {**ERRORS, **(WRITE_ERRORS if method in WRITE_METHODS else {})}
            if operation.get("operationId") == "auth_token_create":
                errors["429"] = WRITE_ERRORS["429"]
            responses = operation.setdefault("responses", {})
            for code, description in errors.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    return result
