"""Words for search and matching: tokens, stop words and a light English stemmer.

Pure Python, no Django, so matching can compare texts in memory and the SQLite search
can drop the same stop words PostgreSQL's English configuration drops.
"""

import re
from functools import lru_cache

STOP_WORDS = frozenset(
    ["a", "about", "above", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "me", "more", "most", "my", "need", "needs", "no", "nor", "not", "of", "off", "on", "once", "only", "or", "other", "our", "out", "over", "own", "please", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "want", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "someone", "somebody", "help", "helping", "like", "get", "got", "go", "going", "bit", "lot", "also", "i'd", "i'm", "im", "id"]
)

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SUFFIXES = ("ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "s", "ly")


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    """Strip one common suffix so "gardening", "gardener" and "gardens" meet at "garden"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if suffix == "ies" or suffix == "ied":
                word += "y"
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # "shopp(ing)" -> "shop"
    return word


def words(text: str) -> list[str]:
    """Lower-cased words without stop words, in order."""
    return [w for w in _WORD.findall((text or "").lower()) if w not in STOP_WORDS and len(w) > 1]


def stems(text: str) -> set[str]:
    return {stem(w) for w in words(text)}
