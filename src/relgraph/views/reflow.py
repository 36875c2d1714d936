"""Reflow a passage of the review for reading: PDF line breaks and hyphenation joined.

The review's text comes from a two-column PDF: lines end mid-sentence, and
words are hyphenated across line ends ("re-\\nsearch"), while a compound may
break at its own hyphen ("consumer-\\nbased"). :func:`reflow` joins the
lines of a passage into running text. A line-end hyphen is read as a *soft*
hyphen (dropped: "research") unless the text shows it is a compound's own
hyphen (kept: "consumer-based"):

* the compound occurs unbroken elsewhere in the text ("co-constructed"), or
* the hyphen continues a compound ("moment-to-\\nmoment"), or
* both halves are words of three or more letters that occur on their own in the
  text, the joined word
  does not, and one half is also part of an unbroken compound elsewhere
  ("consumer-\\nbased": "based" as in "university-based"; never "consumerbased";
  but "More-\\nover" is "Moreover").

Blank lines (paragraph breaks) are kept as paragraph breaks. The exact span
is never changed: pages show the reflowed text and keep the quotation, with
its offsets, one click away.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Lexicon", "reflow", "lexicon_of"]

#: A line-end hyphenation: word part, hyphen, line break (and indentation), word part.
_BREAK = re.compile(r"([^\W_]+)-[ \t]*\n[ \t]*([^\W_]+)")
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_LINE = re.compile(r"[ \t]*\n[ \t]*")
_SPACES = re.compile(r"[ \t]{2,}")


@dataclass(frozen=True)
class Lexicon:
    """The words of a text, as it writes them on one line (lower case).

    :ivar words: single words ("based").
    :ivar compounds: hyphenated compounds written unbroken ("co-constructed").
    :ivar parts: the parts of those compounds ("co", "constructed").
    """

    words: frozenset[str]
    compounds: frozenset[str]
    parts: frozenset[str]


def _unbroken(text: str) -> Iterable[str]:
    # Words not touched by a line-end hyphen.
    cleaned = _BREAK.sub(" ", text)
    return (w.lower() for w in _WORD.findall(cleaned))


@lru_cache(maxsize=4)
def lexicon_of(text: str) -> Lexicon:
    """The :class:`Lexicon` of a whole text (cached: the review is read once).

    >>> lex = lexicon_of("a consumer model, based on co-constructed ideas")
    >>> "consumer" in lex.words and "co-constructed" in lex.compounds
    True
    """
    words: set[str] = set()
    compounds: set[str] = set()
    parts: set[str] = set()
    for word in _unbroken(text):
        if "-" in word:
            compounds.add(word)
            parts.update(word.split("-"))
        else:
            words.add(word)
    return Lexicon(frozenset(words), frozenset(compounds), frozenset(parts))


#: Shortest half of a compound that the lexicon rule accepts ("in-\\nform" is "inform").
_MIN_PART = 3


def _join(match: re.Match[str], lexicon: Lexicon | None) -> str:
    head, tail = match.group(1), match.group(2)
    if lexicon is None:
        return head + tail
    low_head, low_tail = head.lower(), tail.lower()
    compound = f"{low_head}-{low_tail}"
    known = lexicon.words | lexicon.parts
    in_compound = any(c == compound or c.endswith("-" + compound) for c in lexicon.compounds)
    chained = match.start() > 0 and match.string[match.start() - 1] == "-"
    joined_known = (low_head + low_tail) in lexicon.words
    if (
        in_compound
        or (chained and low_tail in known and not joined_known)
        or (
            min(len(low_head), len(low_tail)) >= _MIN_PART
            and low_head in known
            and low_tail in known
            and not joined_known
            and (low_head in lexicon.parts or low_tail in lexicon.parts)
        )
    ):
        return f"{head}-{tail}"
    return head + tail


def reflow(quotation: str, lexicon: Lexicon | None = None) -> list[str]:
    """Join a passage's PDF lines into paragraphs of running text.

    :param quotation: the exact text of the passage (``rg:quotation``).
    :param lexicon: the words of the whole review (:func:`lexicon_of`), which
        tell a compound's hyphen from a soft one; without it every line-end
        hyphen is read as soft.
    :returns: the paragraphs, each one line of text.

    >>> reflow("the re-\\nsearch on\\nconsumer-\\nbased models")
    ['the research on consumerbased models']
    >>> lexicon = lexicon_of("a consumer, well-based")
    >>> reflow("the re-\\nsearch on\\nconsumer-\\nbased models", lexicon)
    ['the research on consumer-based models']
    """
    paragraphs = []
    for block in _PARAGRAPH.split(quotation.strip()):
        joined = _BREAK.sub(lambda m: _join(m, lexicon), block)
        text = _SPACES.sub(" ", _LINE.sub(" ", joined)).strip()
        if text:
            paragraphs.append(text)
    return paragraphs
