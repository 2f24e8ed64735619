"""Brazil's national holidays and the days people name after them ("Natal", "véspera de ano novo",
"Carnaval", "Corpus Christi"), the movable ones computed from Easter."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache


@lru_cache(maxsize=64)
def easter(year: int) -> date:
    """Easter Sunday of the Gregorian calendar (the anonymous algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month = (h + leap - 7 * m + 114) // 31
    day = (h + leap - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _fixed(month: int, day: int) -> Callable[[int], date]:
    return lambda year: date(year, month, day)


def _from_easter(days: int) -> Callable[[int], date]:
    return lambda year: easter(year) + timedelta(days=days)


def _nth_sunday(month: int, nth: int) -> Callable[[int], date]:
    def day_in(year: int) -> date:
        first = date(year, month, 1)
        return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (nth - 1))
    return day_in


def _fourth_thursday_of_november(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


# Accent-free, lower-case names (as `fold` writes them), each a regular expression.
HOLIDAYS: dict[str, Callable[[int], date]] = {
    r"vespera\s+de\s+natal|noite\s+de\s+natal": _fixed(12, 24),
    r"natal": _fixed(12, 25),
    r"vespera\s+de\s+ano\s+novo|reveillon|ultimo\s+dia\s+do\s+ano|virada\s+do\s+ano": _fixed(12, 31),
    r"ano\s+novo|confraternizacao\s+universal|primeiro\s+dia\s+do\s+ano": _fixed(1, 1),
    r"tiradentes": _fixed(4, 21),
    r"dia\s+do\s+trabalh(?:o|ador)": _fixed(5, 1),
    r"independencia(?:\s+do\s+brasil)?": _fixed(9, 7),
    r"(?:nossa\s+senhora\s+)?aparecida|dia\s+da\s+padroeira|dia\s+das\s+criancas": _fixed(10, 12),
    r"(?:dia\s+de\s+)?todos\s+os\s+santos": _fixed(11, 1),
    r"finados": _fixed(11, 2),
    r"proclamacao\s+da\s+republica": _fixed(11, 15),
    r"consciencia\s+negra": _fixed(11, 20),
    r"sabado\s+de\s+carnaval": _from_easter(-50),
    r"domingo\s+de\s+carnaval": _from_easter(-49),
    r"segunda(?:[\s-]*feira)?\s+de\s+carnaval": _from_easter(-48),
    r"carnaval": _from_easter(-47),
    r"quarta(?:[\s-]*feira)?\s+de\s+cinzas": _from_easter(-46),
    r"sexta(?:[\s-]*feira)?\s+(?:santa|da\s+paixao)|paixao\s+de\s+cristo": _from_easter(-2),
    r"pascoa|domingo\s+de\s+pascoa": _from_easter(0),
    r"corpus\s+christi": _from_easter(60),
    r"dia\s+das\s+maes": _nth_sunday(5, 2),
    r"dia\s+dos\s+pais": _nth_sunday(8, 2),
    r"(?:dia\s+(?:nacional\s+)?de\s+)?acao\s+de\s+gracas": _fourth_thursday_of_november,
}
_NAMES = list(HOLIDAYS.values())
HOLIDAY_RE = re.compile(
    r"\b(?P<prefix>(?:dia|feriado)\s+(?:d[eoa]s?\s+)?)?(?:"
    + "|".join(f"(?P<h{index}>{pattern})" for index, pattern in enumerate(HOLIDAYS))
    + r")\b(?:\s+(?:de\s+)?(?P<year>\d{4})\b)?"
)
# Holiday names that are also places ("moro em Natal", "Rua Tiradentes", "Av. Independência").
_PLACE_NAMES = frozenset({"natal", "tiradentes", "independencia", "independencia do brasil", "aparecida",
                          "todos os santos"})
_PLACE_BEFORE = re.compile(
    r"\b(?:rua|r|avenida|av|praca|travessa|alameda|estrada|rodovia|bairro|cidade|em|de|na|pra|para|a)\.?\s+$"
)


def holiday_in(match: re.Match[str]) -> Callable[[int], date] | None:
    """The holiday a match of HOLIDAY_RE names (a function of the year), or None when the name is
    a place there ("em Natal", "na Tiradentes")."""
    name, index = next((value, int(key[1:])) for key, value in match.groupdict().items() if value and key[0] == "h")
    name = " ".join(name.split())
    if match["prefix"] is None and name == "aparecida":
        return None  # also a first name: only "Nossa Senhora Aparecida" or "dia de Aparecida"
    if match["prefix"] is None and name in _PLACE_NAMES:
        if _PLACE_BEFORE.search(match.string, max(0, match.start() - 12), match.start()):
            return None
    return _NAMES[index]


# Days Brazil's federal law closes (Leis 662/1949, 6.802/1980, 14.759/2023) and Good Friday, kept as a
# national holiday; then the optional days ("pontos facultativos") most businesses close on.
NATIONAL: dict[str, Callable[[int], date]] = {
    "Confraternização Universal": _fixed(1, 1), "Paixão de Cristo": _from_easter(-2), "Tiradentes": _fixed(4, 21),
    "Dia do Trabalho": _fixed(5, 1), "Independência do Brasil": _fixed(9, 7),
    "Nossa Senhora Aparecida": _fixed(10, 12), "Finados": _fixed(11, 2),
    "Proclamação da República": _fixed(11, 15), "Dia Nacional de Zumbi e da Consciência Negra": _fixed(11, 20),
    "Natal": _fixed(12, 25),
}
OPTIONAL: dict[str, Callable[[int], date]] = {
    "Carnaval (segunda-feira)": _from_easter(-48), "Carnaval (terça-feira)": _from_easter(-47),
    "Quarta-feira de Cinzas": _from_easter(-46), "Corpus Christi": _from_easter(60),
}
BUILT_IN_LISTS = {"BR": NATIONAL, "BR-optional": OPTIONAL}


# "depois do feriado", "no próximo feriado", "o feriado passado": a national holiday named by the word alone
# is the nearest one ahead (or, with "passado"/"último", behind), today included.
NEXT_HOLIDAY_RE = re.compile(
    r"\b(?P<det>(?:o|do|no|ao|pro|pelo|esse|desse|nesse|este|deste|neste)\s+)?(?:(?P<last>ultimo)\s+|(?P<next>proximo)\s+)?"
    r"(?P<word>feriado)(?:\s+(?P<after>passado|que\s+vem))?\b(?!\s+d[eoa]s?\s)"
)


def nearest_national(today: date, past: bool) -> date:
    """The national holiday nearest to `today` ahead of it (or behind it, `past`), today included."""
    years = (today.year, today.year - 1) if past else (today.year, today.year + 1)
    days = [day(year) for year in years for day in NATIONAL.values()]
    return max(day for day in days if day <= today) if past else min(day for day in days if day >= today)


def holidays_of(year: int, lists: tuple[str, ...] = ("BR",)) -> dict[date, str]:
    """The days of `year` on the built-in lists named ("BR", "BR-optional"), with their names."""
    return {day(year): name for list_name in lists for name, day in BUILT_IN_LISTS[list_name].items()}
