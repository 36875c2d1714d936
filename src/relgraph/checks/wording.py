"""Compare curated wording with the review's text, word by word.

The review's text was extracted from a two-column PDF: words are hyphenated at
line ends ("re-\\nsearch"), compounds may break at their hyphen
("consumer-\\nbased"), apostrophes are curly and paragraphs run across page breaks.
This module turns a text into lower-case word tokens in two readings of a
line-end hyphen -- *soft* (the hyphen only breaks the word: "research") and
*hard* (a compound's hyphen: "consumer", "based") -- so that both readings can
be compared. All functions are pure; :mod:`relgraph.checks.fidelity` applies them to
the graph.

Two comparisons are offered:

* :func:`mentions` -- does a passage name a term? Every content word of the
  term (stop words and a parenthesised qualifier such as "(patient)" left out)
  occurs in the passage, in any order, with case, British/American spelling
  (-ise/-ize, behaviour/behavior, counselling/counseling) and a plural -s folded.
* :class:`ReviewText` -- does a curated text copy the review? The longest run
  of consecutive words a literal shares with the review, not counting words of
  the review's own enumerations (three or more short items separated by
  commas, as in "love, status, information, money, goods and services").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "Token",
    "CopiedRun",
    "ReviewText",
    "tokens",
    "words",
    "fold",
    "content_words",
    "passage_words",
    "mentions",
    "phrase_in",
]

#: A line-end hyphenation: the hyphen, the line break and any indentation after it.
_SOFT_BREAK = re.compile(r"-[ \t]*\n\s*")
_WORD = re.compile(r"[^\W_]+")
_SOFT_WORD = re.compile(r"[^\W_]+(?:-[ \t]*\n\s*[^\W_]+)*")
_PARENTHESES = re.compile(r"\([^()]*\)")
_CONJUNCTIONS = frozenset({"and", "or"})

#: Words that carry no content in a term ("theory of the self" -> theory, self).
STOP_WORDS = frozenset(
    "a an the of in on for to and or with by from as at into its their his her is are be s".split()
)

#: British spellings of American forms, applied word by word (suffix, replacement).
_SPELLING = (
    (re.compile(r"iz(e|es|ed|ing|ation|ations)$"), r"is\1"),
    (re.compile(r"^behavior"), "behaviour"),
    (re.compile(r"^counsel(ing|or|ors|ed)$"), r"counsell\1"),
    (re.compile(r"^program(s?)$"), r"programme\1"),
    (re.compile(r"yz(e|es|ed|ing)$"), r"ys\1"),
)
#: One word family folded to its stem: analyse, analysed, analyses, analysis -> analys.
_LEMMA = re.compile(r"ys(?:is|es|e|ed|ing)$")


@dataclass(frozen=True)
class Token:
    """A word of a text: lower-case, with its character span in the original text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class CopiedRun:
    """A run of consecutive words a literal shares with the review.

    :ivar words: how many words are shared.
    :ivar counted: how many of them count (words of the review's enumerations do not).
    :ivar start: character offset of the run in the review's text (end exclusive).
    :ivar excerpt: the review's words of the run, on one line.
    """

    words: int
    counted: int
    start: int
    end: int
    excerpt: str


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def tokens(text: str, *, soft: bool) -> list[Token]:
    """The words of ``text``, reading line-end hyphens as ``soft`` or hard.

    >>> [t.text for t in tokens("con-\\nsumer-\\nbased care", soft=True)]
    ['consumerbased', 'care']
    >>> [t.text for t in tokens("con-\\nsumer-\\nbased care", soft=False)]
    ['con', 'sumer', 'based', 'care']
    """
    text = _normal(text)
    if soft:
        return [
            Token(_SOFT_BREAK.sub("", m.group()).lower(), m.start(), m.end())
            for m in _SOFT_WORD.finditer(text)
        ]
    return [Token(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]


def words(text: str) -> list[str]:
    """The lower-case words of a curated text (which has no line-end hyphens).

    >>> words("The patient's 'self-concept'")
    ['the', 'patient', 's', 'self', 'concept']
    """
    if text.isascii():  # its own NFC form, and lower case word by word or at once alike
        return _WORD.findall(text.lower())
    return [w.lower() for w in _WORD.findall(_normal(text))]


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Fold American spelling to British and drop a plural -s, for matching only.

    The "analyse" family (analysed, analysis, analyzing ...) folds to one stem.

    >>> [fold(w) for w in ("identities", "behaviors", "counseling", "randomized", "status")]
    ['identity', 'behaviour', 'counselling', 'randomised', 'statu']
    >>> [fold(w) for w in ("analysis", "analysed", "analyze")]
    ['analys', 'analys', 'analys']
    """
    for pattern, replacement in _SPELLING:
        word = pattern.sub(replacement, word)
    lemma = _LEMMA.search(word)
    if lemma:
        return word[: lemma.start()] + "ys"
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_words(term: str) -> frozenset[str]:
    """The folded content words of a term, without a parenthesised qualifier.

    >>> sorted(content_words("older age (patient)"))
    ['age', 'older']
    """
    return frozenset(fold(w) for w in words(_PARENTHESES.sub(" ", term)) if w not in STOP_WORDS)


@lru_cache(maxsize=8192)
def passage_words(quotation: str) -> frozenset[str]:
    """The folded words of a passage in both readings of its line-end hyphens."""
    both = tokens(quotation, soft=True) + tokens(quotation, soft=False)
    return frozenset(fold(t.text) for t in both)


def mentions(passage: frozenset[str], terms: Iterable[str]) -> bool:
    """True if every content word of one of the ``terms`` is among ``passage``'s words.

    >>> mentions(passage_words("the relative passivity of the\\npatient"), ["patient passivity"])
    True
    >>> mentions(passage_words("pensatory alliance"), ["compensatory alliance"])
    False
    """
    for term in terms:
        wanted = content_words(term)
        if wanted and wanted <= passage:
            return True
    return False


def phrase_in(phrase: str, text_runs: frozenset[str]) -> bool:
    """True if the phrase's folded words, run together, are a run of the text's words.

    ``text_runs`` comes from :meth:`ReviewText.runs`; running the words together
    makes "drop-out", "drop out" and "dropout" the same phrase.
    """
    key = "".join(fold(w) for w in words(phrase))
    return bool(key) and key in text_runs


def _separators(text: str, stream: Sequence[Token]) -> list[str]:
    return [text[a.end : b.start] for a, b in zip(stream, stream[1:], strict=False)]


def _enumerated(text: str, stream: Sequence[Token]) -> list[bool]:
    """Mark the tokens that belong to one of the text's enumerations.

    An enumeration is a chain of three or more items of at most four words
    separated by commas ("A, B, C and D", "A, B, C"), the last item joined by
    "and"/"or" or not, and the enumeration ending with its last item.
    """
    marked = [False] * len(stream)
    seps = _separators(text, stream)
    # segments: runs of tokens separated by white space (or a line-end hyphen) only
    segments: list[tuple[int, int]] = []
    start = 0
    for i, sep in enumerate(seps):
        if sep.strip() not in ("", "-"):
            segments.append((start, i + 1))
            start = i + 1
    segments.append((start, len(stream)))

    def comma_after(segment: tuple[int, int]) -> bool:
        end = segment[1]
        return end - 1 < len(seps) and seps[end - 1].strip() == ","

    i = 0
    while i < len(segments):
        j = i
        while j + 1 < len(segments) and comma_after(segments[j]):
            j += 1
        chain = segments[i : j + 1]
        items = 0
        last = chain[-1]
        head = [s for s in chain[:-1] if s[1] - s[0] <= 4]
        if len(head) == len(chain) - 1:
            items = len(head)
            words_of_last = [t.text for t in stream[last[0] : last[1]]]
            k = next((n for n, w in enumerate(words_of_last) if w in _CONJUNCTIONS), -1)
            if 0 <= k <= 4 and len(words_of_last) - k - 1 <= 4:
                items += 2 if k else 1
            elif k < 0 and len(words_of_last) <= 4:
                items += 1
            else:
                last = (last[0], last[0])
        if items >= 3:
            for a, b in [*chain[:-1], last]:
                for n in range(a, b):
                    marked[n] = True
        i = j + 1
    return marked


class ReviewText:
    """The review's text, indexed for finding runs of words copied from it.

    :param text: the text exactly as read from the seed file.
    :param limit: runs longer than this many counted words are copies (default 12).
    """

    def __init__(self, text: str, *, limit: int = 12) -> None:
        self.text = text
        self.limit = limit
        self._streams = [tokens(text, soft=True), tokens(text, soft=False)]
        self._listed = [_enumerated(text, s) for s in self._streams]
        self._runs: dict[int, frozenset[str]] = {}
        size = limit + 1
        # A shared run of `size` words or more holds a shared run of `stride` words that
        # starts at a multiple of `stride` in the literal (stride <= (size + 1) / 2), so
        # checking those few positions rules out most literals cheaply (copied_run).
        self._stride = max(1, (size + 1) // 2)
        self._index: list[dict[tuple[str, ...], list[int]]] = []
        self._grams: list[set[tuple[str, ...]]] = []
        for stream in self._streams:
            index: dict[tuple[str, ...], list[int]] = {}
            texts = [t.text for t in stream]
            for p in range(len(texts) - size + 1):
                index.setdefault(tuple(texts[p : p + size]), []).append(p)
            self._index.append(index)
            stride = self._stride
            self._grams.append(
                {tuple(texts[p : p + stride]) for p in range(len(texts) - stride + 1)}
            )

    def runs(self, longest: int = 8) -> frozenset[str]:
        """Every run of up to ``longest`` consecutive folded words, run together."""
        if longest not in self._runs:
            self._runs[longest] = self._make_runs(longest)
        return self._runs[longest]

    def _make_runs(self, longest: int) -> frozenset[str]:
        out: set[str] = set()
        for stream in self._streams:
            folded = [fold(t.text) for t in stream]
            for p in range(len(folded)):
                key = ""
                for q in range(p, min(p + longest, len(folded))):
                    key += folded[q]
                    out.add(key)
        return frozenset(out)

    def copied_run(self, literal: str) -> CopiedRun | None:
        """The longest run the literal shares with the text, if it counts more than the limit."""
        found = words(literal)
        size = self.limit + 1
        if len(found) < size:
            return None
        best: CopiedRun | None = None
        stride = self._stride
        streams = zip(self._streams, self._listed, self._index, self._grams, strict=True)
        for stream, listed, index, grams in streams:
            if not any(
                tuple(found[j : j + stride]) in grams
                for j in range(0, len(found) - stride + 1, stride)
            ):
                continue  # no shared run of `size` words in this reading
            covered: dict[int, int] = {}
            for i in range(len(found) - size + 1):
                for p in index.get(tuple(found[i : i + size]), ()):
                    diagonal = i - p
                    if covered.get(diagonal, -1) > i:
                        continue
                    k = size
                    while (
                        i + k < len(found)
                        and p + k < len(stream)
                        and found[i + k] == stream[p + k].text
                    ):
                        k += 1
                    covered[diagonal] = i + k
                    counted = sum(1 for n in range(p, p + k) if not listed[n])
                    if counted > self.limit and (best is None or counted > best.counted):
                        start, end = stream[p].start, stream[p + k - 1].end
                        excerpt = " ".join(_SOFT_BREAK.sub("", self.text[start:end]).split())
                        best = CopiedRun(k, counted, start, end, excerpt)
        return best
