"""Text typed into a search box, made safe to hand to the database."""


def search_text(value: str, limit: int = 100) -> str:
    """Trimmed, cut to ``limit`` characters, without NUL characters: PostgreSQL refuses NUL in
    text, so one typed into a search box would otherwise be a server error, not "no results"."""
    return value.replace("\x00", "").strip()[:limit]
