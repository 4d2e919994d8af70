"""The API's reference, read from the same OpenAPI schema that clients and schemathesis use, as
a plain page: every operation with its parameters and answers, and every shape with its fields.
(Swagger UI was tried: its controls nest buttons in buttons, it adds a second main landmark and
its colours fail contrast, so it could not pass axe.)"""

from dataclasses import dataclass, field

from drf_spectacular.generators import SchemaGenerator


@dataclass
class Parameter:
    name: str
    where: str
    required: bool
    kind: str
    description: str


@dataclass
class Answer:
    status: str
    description: str
    shape: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    scope_note: str
    parameters: list[Parameter] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"{self.method}-{self.path}".lower().replace("/", "-").replace("{", "").replace("}", "").strip("-")


@dataclass
class Shape:
    name: str
    fields: list[Parameter]


def _kind(schema: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list of {_kind(schema.get('items', {}))}"
    kind = schema.get("type", "object")
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _shape_of(response: dict) -> str:
    content = response.get("content", {}).get("application/json", {})
    return _kind(content["schema"]) if "schema" in content else ""


def reference() -> tuple[dict, list[Operation], list[Shape]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, spec in methods.items():
            operations.append(Operation(
                method=method.upper(), path=path, summary=spec.get("summary", ""),
                description=spec.get("description", ""), scope_note="",
                parameters=[Parameter(p["name"], p["in"], p.get("required", False), _kind(p.get("schema", {})),
                                      p.get("description", "")) for p in spec.get("parameters", [])],
                answers=[Answer(status, r.get("description", ""), _shape_of(r))
                         for status, r in sorted(spec.get("responses", {}).items())],
            ))
    shapes = []
    for name, spec in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(spec.get("required", []))
        shapes.append(Shape(name, [Parameter(key, "", key in required, _kind(value), value.get("description", ""))
                                   for key, value in spec.get("properties", {}).items()]))
    return schema["info"], operations, shapes
