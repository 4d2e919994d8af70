"""Masking a text inside stored values, for erasure (issue 20): an erased person's name in an
audit entry's detail or any other JSON value becomes their pseudonym, wherever it is nested."""


def replaced(value, text: str, replacement: str):
    """``value`` (a string, or JSON-like lists and dicts of them) with every ``text`` replaced."""
    if isinstance(value, str):
        return value.replace(text, replacement)
    if isinstance(value, list):
        return [replaced(item, text, replacement) for item in value]
    if isinstance(value, dict):
        return {key: replaced(item, text, replacement) for key, item in value.items()}
    return value
