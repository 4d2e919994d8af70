"""Words for search, matching and category suggestions: tokens, stop words, stems, trigrams.

Pure Python, no Django. Every backend indexes and queries what these functions make
(``Post.search_title``/``search_body`` hold the stems), so PostgreSQL and SQLite find
the same posts: the stemmer is Snowball's English (Porter2, what PostgreSQL's
``english`` configuration uses), and trigrams are counted the way ``pg_trgm`` counts them.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# Words that say nothing about what help is wanted: English function words, and the
# phrases every request shares ("could someone help me with ...", "happy to ...").
STOP_WORDS = frozenset(["a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "anybody", "anyone", "anything", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "cannot", "cant", "could", "couldnt", "did", "didnt", "do", "does", "doesnt", "doing", "done", "dont", "down", "during", "each", "either", "else", "even", "ever", "every", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "id", "if", "ill", "im", "in", "into", "is", "isnt", "it", "its", "itself", "ive", "just", "let", "lets", "me", "might", "more", "most", "much", "must", "my", "myself", "need", "needs", "needed", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "others", "our", "ours", "ourselves", "out", "over", "own", "please", "per", "quite", "rather", "really", "same", "shall", "she", "should", "so", "some", "somebody", "someone", "something", "such", "than", "thank", "thanks", "that", "thats", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "us", "very", "want", "wanted", "wants", "was", "we", "were", "what", "whats", "when", "where", "which", "while", "who", "whom", "whose", "why", "will", "with", "wont", "would", "wouldnt", "yes", "yet", "you", "your", "youre", "yours", "yourself"])
GENERIC_WORDS = frozenset(["able", "appreciate", "appreciated", "around", "bit", "cheers", "could", "day", "days", "dear", "get", "gets", "getting", "go", "goes", "going", "good", "got", "great", "hand", "happy", "hello", "help", "helped", "helping", "helps", "hi", "hope", "hoping", "hour", "hours", "kind", "kindly", "know", "like", "liked", "lot", "lots", "love", "lovely", "make", "many", "may", "maybe", "mine", "much", "new", "nice", "offer", "offered", "offering", "offers", "okay", "ok", "one", "ones", "past", "people", "person", "possible", "pretty", "really", "request", "requests", "see", "sometime", "sometimes", "soon", "still", "sure", "take", "thing", "things", "think", "time", "times", "today", "tomorrow", "try", "trying", "use", "used", "usual", "usually", "way", "week", "weekly", "weeks", "well", "would", "year", "years", "anyone", "little", "small", "big", "old", "someones"])
# The same in Welsh and Spanish (issue 18), folded: members write in their own language whatever
# the community's. None is a word an English speaker types for what they mean ("dim", "man",
# "pan" and "con" stay words), and none is in the shipped vocabulary (test_languages checks both).
WELSH_STOP_WORDS = frozenset(["ac", "allai", "allech", "allwch", "angen", "ar", "byddai", "cael", "croeso", "cymorth", "ddim", "diolch", "diolchgar", "dros", "dwi", "efo", "ei", "eich", "ein", "eisiau", "fel", "fi", "fod", "fy", "fyddai", "gael", "gallai", "gallwch", "gan", "gwneud", "gyda", "gymorth", "hefyd", "helpu", "hoffai", "hoffwn", "hyn", "iawn", "isio", "mae", "mewn", "mi", "moyn", "neu", "nhw", "ni", "oes", "ond", "os", "plis", "rhywbeth", "rhywun", "rwy", "shwmae", "sydd", "ti", "tipyn", "unrhyw", "wedi", "wneud", "ychydig", "yma", "yn", "yr", "yw"])
SPANISH_STOP_WORDS = frozenset(["al", "algo", "alguien", "algun", "alguna", "alguno", "aqui", "ayuda", "ayudame", "ayudar", "ayudarme", "ayude", "buenas", "buscando", "busco", "como", "cualquier", "cuando", "de", "del", "donde", "el", "en", "es", "esa", "ese", "eso", "esta", "estar", "este", "esto", "estoy", "favor", "gracias", "gustaria", "hacer", "hola", "hoy", "la", "las", "le", "les", "lo", "los", "mas", "me", "mi", "mis", "muchas", "mucho", "muy", "necesita", "necesitamos", "necesito", "ni", "otra", "otro", "para", "pero", "poco", "podria", "podrias", "por", "porque", "puede", "pueden", "puedo", "pues", "que", "queria", "quiero", "rato", "saludos", "se", "ser", "su", "tambien", "tengo", "tiene", "tu", "tus", "un", "una", "unas", "unos", "usted", "ustedes", "vez", "ya", "yo"])
MAX_WORD = 40  # longer "words" are noise (a pasted link, a run of letters)

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STEMMER = snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    """Lower case without accents ("Café" -> "cafe"), apostrophes joined ("can't" -> "cant"),
    NUL characters dropped: what every index and query sees."""
    text = unicodedata.normalize("NFKD", (text or "").replace("\x00", " ").lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("'", "").replace("’", "")


def tokens(text: str) -> list[str]:
    """Every word, folded, in order (stop words included)."""
    return [w for w in _WORD.findall(fold(text)) if 1 < len(w) <= MAX_WORD]


def is_stop_word(word: str) -> bool:
    return word in STOP_WORDS or word in GENERIC_WORDS or word in WELSH_STOP_WORDS or word in SPANISH_STOP_WORDS


def words(text: str) -> list[str]:
    """Folded words that can say what help is about, in order (no stop or generic words)."""
    return [w for w in tokens(text) if not is_stop_word(w)]


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """Snowball English: "gardening", "gardener" and "gardens" all meet at "garden"."""
    return _STEMMER.stemWord(word)


def stems(text: str) -> set[str]:
    return {stem(w) for w in words(text)}


def terms(text: str) -> list[str]:
    """Distinct stems in order of first appearance."""
    return list(dict.fromkeys(stem(w) for w in words(text)))


def indexed(text: str) -> str:
    """The stored, searchable form of a text: its distinct stems between spaces, with a space
    at each end so a stem can be found as `` stem `` with a plain substring test."""
    found = terms(text)
    return f" {' '.join(found)} " if found else ""


@lru_cache(maxsize=20_000)
def trigrams(word: str) -> frozenset[str]:
    """pg_trgm's trigrams of one word: padded with two spaces before and one after."""
    padded = f"  {word} "
    return frozenset(padded[i:i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(): shared trigrams over all distinct trigrams of both words."""
    ta, tb = trigrams(a), trigrams(b)
    shared = len(ta & tb)
    return shared / (len(ta) + len(tb) - shared) if shared else 0.0
