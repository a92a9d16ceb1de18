"""Is a mention asserted, or only negated or dismissed in its clause?

"you don't need atomic rename", "I wouldn't bother with NVLink", "no PFC", "atomic rename is
overkill", "instead of InfiniBand": the mention does not earn the concept. "not only NVLink
but also ..." does. The scope is the clause: a comma, semicolon, "but", "because", "and", ...
ends it.
"""

from __future__ import annotations

from coach.scoring.text import Token

_CUES_BEFORE = frozenset(
    """not no never without neither nor don't dont doesn't doesnt didn't didnt won't wont
    wouldn't wouldnt shouldn't shouldnt isn't isnt aren't arent wasn't weren't can't cant
    cannot needn't skip skipping avoid avoiding rather instead forget ignore ignoring
    lacks lacking drop dropping minus""".split()
)
_NOT_NEGATING_NEXT = frozenset({"only", "just", "merely", "simply", "least", "necessarily"})
_NEGATORS = frozenset(
    """not no never isn't isnt aren't arent doesn't doesnt don't dont wasn't won't wont
    wouldn't wouldnt shouldn't can't cannot""".split()
)
_NEED_WORDS = frozenset(
    """needed necessary required important matter matters help helps useful relevant
    worth needs need""".split()
)
_DISMISSIVE_AFTER = frozenset(
    """unnecessary overkill irrelevant pointless useless unneeded obsolete
    optional""".split()
)
_SCOPE_BREAKS = frozenset({"and", "so", "because", "since", "which", "then", "therefore"})
LOOK_BACK = 8
LOOK_AHEAD = 5


def is_negated(tokens: list[Token], first: int, last: int) -> bool:
    """True when tokens[first..last] sit in a negated or dismissive clause."""
    clause = tokens[first].clause
    for i in range(first - 1, max(first - 1 - LOOK_BACK, -1), -1):
        tok = tokens[i]
        if tok.clause != clause or tok.text in _SCOPE_BREAKS:
            break
        if tok.text in _CUES_BEFORE:
            nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
            if nxt not in _NOT_NEGATING_NEXT:
                return True
    clause = tokens[last].clause
    end = min(last + 1 + LOOK_AHEAD, len(tokens))
    for i in range(last + 1, end):
        tok = tokens[i]
        if tok.clause != clause or tok.text in _SCOPE_BREAKS:
            break
        if tok.text in _DISMISSIVE_AFTER:
            return True
        if tok.text in _NEGATORS:
            window = [t.text for t in tokens[i + 1 : min(i + 4, len(tokens))]]
            if any(w in _NEED_WORDS for w in window):
                return True
    return False
