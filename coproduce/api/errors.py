"""Every refusal as ``{"errors": {field: [messages]}}`` with a 4xx status, whether DRF or a
service (a Django ``ValidationError``) raised it; "detail" carries what is about no one field."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler


def _listed(value) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return [str(value)]


def handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and set(data) <= {"detail", "code"} and "detail" in data:
        errors = {"detail": _listed(data["detail"])}
    elif isinstance(data, dict):
        errors = {str(key): _listed(value) for key, value in data.items()}
    else:
        errors = {"detail": _listed(data)}
    response.data = {"errors": errors}
    return response
