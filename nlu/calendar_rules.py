"""pt-BR rules for days: "amanhã", "antes de ontem", "quinta que vem", "terça passada", "sex",
"dia 20", "dia quinze", "o vigésimo segundo de junho", "20/03", "4/22" (no month 22: month first),
"31/10/74", "20 de março", "5 maio", "12 mar", "15set", "dia 12 do 4", "julho 4",
"Natal"."""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

from rapidfuzz.distance import OSA

from nlu.holidays import HOLIDAY_RE, NEXT_HOLIDAY_RE, holiday_in, nearest_national
from nlu.lexicon import MONTHS, ORDINALS, WEEKDAY_ABBREVIATIONS, WEEKDAYS
from nlu.numbers import read_words
from nlu.temporal_types import Found, Prefer, TemporalRules, has_any, has_digit, tokens

MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
FULL_MONTH = "|".join(name for name in MONTHS if len(name) > 3)
# "sesta feira": a typo; "sabadão": Saturday
_WEEKDAY = "segunda|terca|quarta|quinta|sexta|sesta(?=[\\s-]*feira)|sabadao|sabado|domingao|domingo"
_ABBR = "|".join(WEEKDAY_ABBREVIATIONS)
# Month abbreviations that are no other word ("mar", "set", "dez", "out" are): "1 jan", "15 fev".
_PLAIN_ABBR = "jan|fev|abr|jun|jul|ago|nov"
# Month abbreviations that are also words ("mar", "set", "dez", "out"): a month only right after a
# day number that ends the clause or comes before a year ("12 mar", "15 set 2026").
_WORD_ABBR = "mar|set|dez|out|mai"
_DAY_WORD = r"(?:vinte|trinta)(?:\s+e\s+[a-z]+)?|(?:vigesimo|trigesimo)(?:\s+[a-z]+)?|[a-z]+"
# "deste mês", "do mês que vem", "do mês passado": the month of a day said with it.
REL_MONTH = (
    r"(?:(?:d|n)?[eo]ste|(?:d|n)?[eo]sse)\s+mes|do\s+(?:proximo\s+mes|mes\s+q(?:ue)?\s+vem)"
    r"|do\s+mes\s+(?:passado|anterior)"
)
# A year after the month: "de 2027", "2027", "de 82", or "82" ending the clause ("23 de novembro 82").
_YEAR = r"(?:,?\s+(?:de\s+)?(?P<year>\d{4})|\s+de\s+(?P<year2>\d{2})|\s+(?P<year3>\d{2})(?=\s*(?:$|[,.;!?])))(?![\d:h])"

_RELATIVE_DAY = re.compile(
    r"\b(?:((?:depois|dps)\s+de\s+(?:amanha|amnh|amn)|pos[\s-]*amanha)|(anteontem|antes\s+de\s+ontem)|(hoje|hj)|(amanha|amnh|amn"
    r"|(?:no\s+)?(?:proximo\s+dia|dia\s+seguinte))|(ontem))\b"
)
_NOW = re.compile(
    r"\b(?:agora(?:\s+mesmo)?|n[ae]s[st]e\s+(?:exato\s+|mesmo\s+)?(?:instante|momento)|assim\s+que\s+(?:for\s+)?possivel"
    r"|o\s+(?:mais\s+(?:rapido|cedo)\s+possivel|quanto\s+antes))\b"
)
_WEEKDAY_AFTER = (
    r"(?:\s+(?P<after>q(?:ue)?\s+vem|da\s+(?:semana\s+q(?:ue)?\s+vem|proxima\s+semana)|passad[ao]|retrasad[ao]"
    r"|da\s+(?:semana\s+(?:passada|anterior)|ultima\s+semana)|d[ae]s[st]a\s+semana|agora))"
)
_WEEKDAY_RE = re.compile(
    rf"\b(?:(?P<mod>proxima|proximo|essa|esta|esse|este|nessa|nesta|nesse|neste|ultima|ultimo|outra|outro)\s+)?"
    rf"(?P<wd>{_WEEKDAY})(?:[\s-]*feira)?{_WEEKDAY_AFTER}?\b"
    r"(?!\s+(?:opcao|vez|via|alternativa|consulta|parte|etapa|dose|sessao|pessoa|filha|filho|vaga|horario|atendimento|tentativa)\b)"
)
_WEEKDAY_ABBR_RE = re.compile(
    rf"\b(?P<pre>(?:na|no|ate|essa|esta|nessa|nesta|proxima|proximo|de|ser)\s+)?(?:(?P<wd>{_ABBR})\b(?P<dot>\.)?"
    r"|(?P<n>[2-6])a(?P<feira>[\s-]*feira)?\b(?!\s+(?:via|vez|opcao|consulta|dose|parte)))"
    rf"(?:{_WEEKDAY_AFTER}\b)?"
)
# "semana que vem na quarta", "na semana passada, na terça": the week first, then its day; "na semana depois da
# que vem", "semana que vem não, a outra": the week after next.
_WEEK_THEN_WEEKDAY = re.compile(
    r"\b(?:na\s+)?(?:(?P<after_next>semana\s+(?:depois|seguinte)\s+(?:da|a)\s+(?:q(?:ue)?\s+vem|proxima)"
    r"|(?:semana\s+q(?:ue)?\s+vem|proxima\s+semana)\s+n(?:ao)?\s*,?\s+(?:a|na)\s+outra)"
    r"|(?P<next>semana\s+q(?:ue)?\s+vem|proxima\s+semana|outra\s+semana|semana\s+seguinte)"
    r"|(?P<last>semana\s+(?:passada|anterior)|ultima\s+semana))[\s,]+(?:(?:n[ao]|de|d[ao]|pode\s+ser)\s+)?"
    rf"(?P<wd>{_WEEKDAY})(?:[\s-]*feira)?\b"
)
# "sexta 26", "sexta-feira, 26 às 4", "seg 23": a weekday and a bare day number (not an hour, not "26 de maio"),
# read as that day when it falls on that weekday in the next (or last) six weeks.
_WEEKDAY_NUMBER = re.compile(
    rf"\b(?P<wd>{_WEEKDAY}|(?:{_ABBR})\.?)(?:[\s-]*feira)?,?\s+(?P<n>[1-9]|[12]\d|3[01])"
    rf"(?![\d/:.,]|\s*(?:h\b|hs\b|hrs\b|horas?\b|[ap]\.?\s?m\b|(?:{MONTH})\b)|\s+(?:e|do|da)\b"
    r"|\s+de\s+(?!manha|tarde|noite|madrugada)"  # "sex 8 de manhã", not "sexta 8 de maio"
    r"|\s+(?:minutos?|dias?|semanas?|meses|anos?|pessoas?|vezes|consultas?|reais)\b)"
)
_CLOCK_AFTER = re.compile(r"[\s,]*(?:(?:as|a|das|por\s+volta\s+das|pelas|umas)\s+\d|\d{1,2}\s*(?:h\b|hs\b|:\d\d))")
_NTH_WEEKDAY = re.compile(
    rf"\b(?P<ord>primeir[oa]|segund[oa]|terceir[oa]|quart[oa]|quint[oa]|ultim[oa])\s+(?P<wd>{_WEEKDAY})"
    rf"(?:[\s-]*feira)?\s+(?:(?:de|do|em)\s+(?P<month>{MONTH})\b\.?|(?P<rel>{REL_MONTH}|do\s+mes))"
)
_DAY_OF_MONTH = re.compile(
    rf"\b(?:(?:(?:no|o|n?esse|n?este|n?essa|n?esta)\s+)?dia\s+(?P<d1>\d{{1,2}}|{_DAY_WORD})"
    rf"|(?P<d2>\d{{1,2}})(?:o|a)?(?=\s+de\s+(?:{MONTH})\b|\s+(?:{FULL_MONTH}|{_PLAIN_ABBR})\b|\s+(?:{MONTH})\.?\s+\d{{4}}"
    rf"|\s+(?:de\s+)?(?:{REL_MONTH})\b|\s+(?:{_WORD_ABBR})\.?(?:\s*$|\s*[,;!?]|\.\s|\s+(?:de\s+)?\d{{4}}\b))"
    rf"|(?P<dw>{_DAY_WORD})(?=\s+de\s+(?:{MONTH})\b|\s+(?:{FULL_MONTH})\b)"
    rf"|(?P<d3>\d{{1,2}})o\s+dia(?=\s+de\s+(?:{MONTH})\b)"  # "o 13º dia de maio"
    # "o terceiro dia de outubro"
    rf"|(?P<d4>(?:vigesimo|trigesimo)(?:\s+[a-z]+o)?|[a-z]+o)\s+dia(?=\s+de\s+(?:{FULL_MONTH})\b))"
    rf"(?:\s+(?:de\s+)?(?:(?P<month>{MONTH})\b\.?|(?P<rel>{REL_MONTH})\b)(?:{_YEAR})?)?(?![/\d])"
)
_MONTH_DAY = re.compile(
    rf"\b(?P<month>{FULL_MONTH}),?\s+(?:dia\s+)?(?:(?P<d>\d{{1,2}})|(?P<dw>{_DAY_WORD}))"
    r"(?!\d|\s*(?:h\b|hs\b|:|horas?\b|consultas?\b|vezes\b))(?:,?\s+(?:de\s+)?(?P<year>\d{4})(?![\d:h]))?"
)
_NUMERIC = re.compile(
    r"(?<![\d/.-])(?:dia\s+)?(?P<d>\d{1,2})(?P<sep>[/-])(?P<m>\d{1,2})"
    r"(?:(?P=sep)(?P<y>\d{4}|\d{2})|,\s?(?P<yc>\d{4})|,(?P<yc2>\d{2}))?(?![\d/-]|\s*(?:h\b|:|horas))"
)
_NAMED_MONTH = re.compile(
    rf"(?<![\d/])(?P<d>\d{{1,2}})(?:[-/]|(?=[a-z]))(?P<month>{MONTH})\b\.?(?:[-/](?P<y>\d{{4}}|\d{{2}}))?(?![\d/])"
)
_DAY_OF_NUMBERED_MONTH = re.compile(
    r"\bdia\s+(?P<d>\d{1,2})\s+do\s+(?P<m>\d{1,2})(?:\s+de\s+(?P<y>\d{4}))?(?![\d/:.,]|\s*(?:h\b|horas?\b))"
)
# "9 de 8 de 1971": the month by its number, with a year.
_DAY_DE_NUMBERED_MONTH = re.compile(r"(?<![\d/])(?P<d>\d{1,2})\s+de\s+(?P<m>\d{1,2})\s+de\s+(?P<y>\d{4})\b")
# A day, a month name and a four-digit year in another order: "set-23-2020", "2020/set/23".
_MIXED_ORDER = re.compile(
    r"(?<![\w/-])(?P<a>[a-z]{3,9}|\d{1,4})(?P<sep>[-/])(?P<b>[a-z]{3,9}|\d{1,4})(?P=sep)(?P<c>[a-z]{3,9}|\d{1,4})"
    r"(?![\w/-])"
)
_DOTTED = re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}|\d{2})(?![\d.])")
_ISO = re.compile(r"\b(?P<y>\d{4})\s?(?P<sep>[-./])\s?(?P<m>\d{1,2})\s?(?P=sep)\s?(?P<d>\d{1,2})(?!\d|[/.-]\d)")


_RELATIVE_WORDS = frozenset({"depois", "dps", "pos", "anteontem", "antes", "hoje", "hj", "amanha", "amnh", "amn",
                             "proximo", "seguinte", "ontem"})
_NOW_WORDS = frozenset({"agora", "instante", "momento", "possivel", "quanto"})
_WEEKDAY_WORDS = frozenset(WEEKDAYS)
_ABBR_WORDS = frozenset(WEEKDAY_ABBREVIATIONS) | {f"{n}a" for n in range(2, 7)}
MONTH_WORDS = frozenset(MONTHS)
_FULL_MONTH_WORDS = frozenset(name for name in MONTHS if len(name) > 3)
_HOLIDAY_WORDS = frozenset({
    "natal", "ano", "reveillon", "confraternizacao", "tiradentes", "trabalho", "trabalhador", "independencia",
    "aparecida", "padroeira", "criancas", "finados", "proclamacao", "consciencia", "carnaval", "cinzas", "santa",
    "paixao", "pascoa", "corpus", "maes", "pais", "gracas", "senhora", "feriado", "santos",
})
_DAY_MONTH_WORDS = MONTH_WORDS | {"dia", "mes"}


def safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def year_of(raw: str | None, today: date, prefer: Prefer) -> int | None:
    """A written year; two digits are the century that puts it in the 100 years up to 20 years
    ahead, or, for the past, in the 100 years up to this one ("74" is 1974 either way)."""
    if raw is None:
        return None
    if len(raw) != 2:
        return int(raw)
    newest = today.year if prefer == "past" else today.year + 20
    year = newest // 100 * 100 + int(raw)
    return year if year <= newest else year - 100


def nearest(today: date, day_in: Callable[[int], date | None], prefer: Prefer) -> date | None:
    """The next (or, for the past, the last) day that `day_in(year)` gives, today included."""
    step = -1 if prefer == "past" else 1
    for offset in range(9):  # 29 February comes back within 8 years
        found = day_in(today.year + step * offset)
        if found is not None and (found <= today if prefer == "past" else found >= today):
            return found
    return None


def month_day(today: date, month: int, number: int, year: int | None, prefer: Prefer) -> date | None:
    """Day `number` of `month` in `year`; without a year, the next (or the last) one."""
    if year is not None:
        return safe_date(year, month, number)
    return nearest(today, lambda y: safe_date(y, month, number), prefer)


def weekday_of_month(today: date, weekday: int, day: int, prefer: Prefer) -> date | None:
    """The next (or last) day `day` of a month that falls on `weekday` ("sexta 13"), within 28 months."""
    step = -1 if prefer == "past" else 1
    index = today.year * 12 + today.month - 1
    for _ in range(28):
        found = safe_date(index // 12, index % 12 + 1, day)
        if found is not None and found.weekday() == weekday and (found >= today if step == 1 else found <= today):
            return found
        index += step
    return None


def day_of_month(today: date, day: int, prefer: Prefer, months: int | None = None) -> date | None:
    """Day `day` of this month (`months` after it), else of the next (or last) month that has it."""
    step = -1 if prefer == "past" else 1
    if months is not None:
        index = today.month - 1 + months
        return safe_date(today.year + index // 12, index % 12 + 1, day)
    year, month = today.year, today.month
    for _ in range(13):
        if day <= monthrange(year, month)[1]:
            found = date(year, month, day)
            if found >= today if step == 1 else found <= today:
                return found
        index = month - 1 + step
        year, month = year + index // 12, index % 12 + 1
    return None


# "desde segunda", "desde o dia 5": a day said after "desde" (and not starting a range) is a past one.
_SINCE = re.compile(r"\bdesde\s+(?:(?:a|o|o\s+dia|dia)\s+)?$")
_RANGE_AFTER = re.compile(r"\s*(?:ate|a|ao|-)\s")


def since(text: str, match: re.Match[str]) -> bool:
    return _SINCE.search(text, max(0, match.start() - 16), match.start()) is not None \
        and _RANGE_AFTER.match(text, match.end()) is None


def _relative_days(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    offsets = (2, -2, 0, 1, -1)
    if not has_any(text, _RELATIVE_WORDS | _NOW_WORDS):
        return
    for match in _RELATIVE_DAY.finditer(text):
        offset = next(o for o, g in zip(offsets, match.groups(), strict=True) if g)
        yield Found(match.start(), match.end(), "date", day=now.date() + timedelta(days=offset), weekday=True)
    for match in _NOW.finditer(text):
        yield Found(match.start(), match.end(), "datetime", moment=now)


def weekday_date(today: date, weekday: int, prefer: Prefer, skip_week: bool = False) -> date:
    if prefer == "past":
        return today - timedelta(days=(today.weekday() - weekday) % 7 or 7)
    if skip_week:  # the one of next week (Monday to Sunday), which is the nearest one late in the week
        return today + timedelta(days=7 - today.weekday() + weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


_THIS_WORDS = frozenset({"essa", "esta", "esse", "este", "nessa", "nesta", "nesse", "neste"})


def _weekday_day(today: date, weekday: int, mod: str, after: str, rules: TemporalRules, prefer: Prefer) -> date:
    monday = today - timedelta(days=today.weekday())
    if after.startswith("da") and after.endswith(("passada", "anterior", "ultima semana")):  # "da semana passada"
        return monday - timedelta(days=7 - weekday)
    if after.startswith("da"):  # "da semana que vem" / "da próxima semana"
        return monday + timedelta(days=7 + weekday)
    if after.startswith("des"):  # "desta semana" / "dessa semana"
        return monday + timedelta(days=weekday)
    if after == "agora" or (mod in _THIS_WORDS and not after):  # "sábado agora", "nesta quarta": today included
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    if mod.startswith("outr") and not after:  # "na outra terça, não nessa": the one after the nearest
        return weekday_date(today, weekday, "future") + timedelta(days=7)
    if after.startswith(("passad", "retrasad")) or mod.startswith("ultim"):
        back = weekday_date(today, weekday, "past")
        return back - timedelta(days=7) if after.startswith("retrasad") else back
    if after or mod.startswith("proxim"):
        return weekday_date(today, weekday, "future", rules.next_weekday_skips_week)
    return weekday_date(today, weekday, "future" if mod else prefer)


def _weekdays(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    today = now.date()
    named = has_any(text, _WEEKDAY_WORDS)
    if not named and not has_any(text, _ABBR_WORDS) and "feira" not in text:
        return
    for match in _WEEKDAY_RE.finditer(text) if named else ():
        prefer: Prefer = "past" if since(text, match) else rules.prefer
        day = _weekday_day(today, WEEKDAYS[match["wd"]], match["mod"] or "", match["after"] or "", rules, prefer)
        yield Found(match.start(), match.end(), "date", day=day, weekday=True)
    for match in _WEEKDAY_ABBR_RE.finditer(text):
        led = match["pre"] is not None and match["pre"].split()[0] not in ("de", "ser")
        if match["wd"] == "ter" and not (led or match["dot"]):
            continue  # "ter" is the verb ("vou ter", "preciso de ter" are no Tuesday)
        weekday = WEEKDAY_ABBREVIATIONS[match["wd"]] if match["wd"] else int(match["n"]) - 2  # "6ª feira"
        mod = (match["pre"] or "").strip()
        day = _weekday_day(today, weekday, mod if mod.endswith(("a", "o")) and mod not in ("na", "no") else "",
                           match["after"] or "", rules, rules.prefer)
        weak = not (match["pre"] or match["feira"])
        start = match.start("wd" if match["wd"] else "n")
        yield Found(start, match.end(), "date", day=day, weekday=True, weak=weak)
    for match in _TYPED_WEEKDAY.finditer(text) if "feira" in text else ():
        if (misspelt := _misspelt_weekday(match["wd"])) is not None:  # "qinta feira dps do almoço"
            day = _weekday_day(today, misspelt, "", "", rules, rules.prefer)
            yield Found(match.start(), match.end(), "date", day=day, weekday=True)
    for match in _WEEK_THEN_WEEKDAY.finditer(text) if named else ():
        weeks = 2 if match["after_next"] else 1 if match["next"] else -1
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7 * weeks)
        yield Found(match.start(), match.end(), "date", day=monday + timedelta(days=WEEKDAYS[match["wd"]]))
    for match in _WEEKDAY_NUMBER.finditer(text):
        prefer = "past" if since(text, match) else rules.prefer
        said = match["wd"].rstrip(".")
        weekday = WEEKDAYS[said] if said in WEEKDAYS else WEEKDAY_ABBREVIATIONS[said]
        on_weekday = weekday_of_month(today, weekday, int(match["n"]), prefer)
        # A day months away is more likely a misheard number ("sexta 9": at 9?) than what was meant,
        # unless the number is no hour ("terça 25") or the clock is said after it ("sexta 13 às 14h").
        sure = int(match["n"]) > 23 or _CLOCK_AFTER.match(text, match.end()) is not None
        if on_weekday is not None and (sure or abs((on_weekday - today).days) <= 42):
            yield Found(match.start(), match.end(), "date", day=on_weekday)
    for match in _NTH_WEEKDAY.finditer(text) if named else ():
        nth = _nth_weekday(match, today, rules)
        if nth is not None:
            yield Found(match.start(), match.end(), "date", day=nth)


# A word before "feira" one typo away from a weekday's name: "qinta feira", "terca", "sexra-feira".
_TYPED_WEEKDAY = re.compile(r"\b(?P<wd>[a-z]{4,8})[\s-]*feira\b")
_FEIRA_DAYS = tuple(day for day, n in WEEKDAYS.items() if n < 5 and day != "sesta")  # the days said with "feira"


def _misspelt_weekday(word: str) -> int | None:
    if word in WEEKDAYS:
        return None  # read by the weekday rules
    near = [day for day in _FEIRA_DAYS if OSA.distance(word, day, score_cutoff=1) <= 1]
    return WEEKDAYS[near[0]] if len(near) == 1 else None


def _nth_weekday(match: re.Match[str], today: date, rules: TemporalRules) -> date | None:
    """ "a primeira sexta de julho", "a última segunda do mês"."""
    weekday, ordinal = WEEKDAYS[match["wd"]], match["ord"]

    def day_in(year: int, month: int) -> date | None:
        if ordinal.startswith("ultim"):
            last = date(year, month, monthrange(year, month)[1])
            return last - timedelta(days=(last.weekday() - weekday) % 7)
        first = date(year, month, 1)
        found = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (ORDINALS[ordinal] - 1))
        return found if found.month == month else None

    if match["month"]:
        month = MONTHS[match["month"]]
        return nearest(today, lambda year: day_in(year, month), rules.prefer)
    index = today.month - 1 + _month_offset(match["rel"])
    return day_in(today.year + index // 12, index % 12 + 1)


def _month_offset(rel: str) -> int:
    return 1 if ("proximo" in rel or "que vem" in rel) else -1 if ("passado" in rel or "anterior" in rel) else 0


def _days_of_month(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    today = now.date()
    if not has_any(text, _DAY_MONTH_WORDS):
        return
    for match in _DAY_OF_MONTH.finditer(text):
        number = day_number(match["d1"] or match["d2"] or match["d3"] or match["d4"] or match["dw"])
        if number is None:
            continue
        prefer: Prefer = "past" if since(text, match) else rules.prefer
        if match["month"]:
            year = year_of(match["year"] or match["year2"] or match["year3"], today, prefer)
            day = month_day(today, MONTHS[match["month"]], number, year, prefer)
        elif match["rel"]:
            day = day_of_month(today, number, prefer, _month_offset(match["rel"]))
        else:
            day = day_of_month(today, number, prefer)
        if day is not None:
            yield Found(match.start(), match.end(), "date", day=day)
    for match in _MONTH_DAY.finditer(text) if has_any(text, _FULL_MONTH_WORDS) else ():
        number = day_number(match["d"] or match["dw"])
        if number is None:
            continue
        day = month_day(today, MONTHS[match["month"]], number, year_of(match["year"], today, rules.prefer),
                        rules.prefer)
        if day is not None:
            yield Found(match.start(), match.end(), "date", day=day)


_TENS_ORDINALS = {"vigesimo": 20, "trigesimo": 30}
_UNIT_ORDINALS = {word: n for word, n in ORDINALS.items() if word.endswith("o") and n < 10}


def day_number(raw: str) -> int | None:
    """1-31 from "15", "primeiro", "quinze", "vinte e cinco", "segundo", "vigésimo segundo"; None
    for anything else."""
    words = raw.split()
    if raw.isdigit():
        value: object = int(raw)
    elif len(words) == 1 and raw in ORDINALS and raw.endswith("o"):
        value = ORDINALS[raw]
    elif words and words[0] in _TENS_ORDINALS:
        rest = words[1:]
        if len(rest) > 1 or (rest and rest[0] not in _UNIT_ORDINALS):
            return None
        value = _TENS_ORDINALS[words[0]] + (_UNIT_ORDINALS[rest[0]] if rest else 0)
    else:
        value = read_words(words)
    return value if isinstance(value, int) and 1 <= value <= 31 else None


def _numeric(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    today = now.date()
    if not has_digit(text):
        return
    patterns = [_NUMERIC] if "/" in text or "-" in text else []
    if "." in text:
        patterns.append(_DOTTED)
    if "do" in tokens(text) and "dia" in tokens(text):
        patterns.append(_DAY_OF_NUMBERED_MONTH)  # "dia 12 do 4"
    if "de" in tokens(text):
        patterns.append(_DAY_DE_NUMBERED_MONTH)
    if any(len(token) == 4 and token.isdigit() for token in tokens(text)):
        patterns.append(_ISO)
    if has_any(text, MONTH_WORDS) or any(token.lstrip("0123456789") in MONTHS for token in tokens(text)):
        patterns.append(_NAMED_MONTH)  # "15/set", "15set"
    if _NAMED_MONTH in patterns:  # "set-23-2020", "2020/set/23"
        yield from _mixed_order(text, today, rules)
    for pattern in patterns:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            month = MONTHS[match["month"]] if groups.get("month") else int(match["m"])
            number = int(match["d"])
            if pattern is _NUMERIC and month > 12 and 1 <= number <= 12:
                month, number = number, month  # "4/22", "9-18-15": no month 22, so written month first
            year = year_of(groups.get("y") or groups.get("yc") or groups.get("yc2"), today, rules.prefer)
            day = month_day(today, month, number, year, rules.prefer)
            if day is not None:
                yield Found(match.start(), match.end(), "date", day=day)


def _mixed_order(text: str, today: date, rules: TemporalRules) -> Iterator[Found]:
    for match in _MIXED_ORDER.finditer(text):
        parts = [match["a"], match["b"], match["c"]]
        months = [MONTHS[part] for part in parts if part in MONTHS]
        years = [int(part) for part in parts if part.isdigit() and len(part) == 4]
        days = [int(part) for part in parts if part.isdigit() and len(part) <= 2]
        if len(months) == 1 and len(years) == 1 and len(days) == 1:
            day = month_day(today, months[0], days[0], years[0], rules.prefer)
            if day is not None:
                yield Found(match.start(), match.end(), "date", day=day)


def _holidays(text: str, now: datetime, rules: TemporalRules) -> Iterator[Found]:
    today = now.date()
    if not has_any(text, _HOLIDAY_WORDS):
        return
    for match in HOLIDAY_RE.finditer(text):
        day_in = holiday_in(match)
        if day_in is None:
            continue
        day = day_in(int(match["year"])) if match["year"] else nearest(today, day_in, rules.prefer)
        if day is not None:
            yield Found(match.start(), match.end(), "date", day=day)
    for match in NEXT_HOLIDAY_RE.finditer(text):
        if not (match["det"] or match["last"] or match["next"] or match["after"]):
            continue  # "amanhã é feriado?": the word alone names no day
        past = bool(match["last"]) or match["after"] == "passado" or (rules.prefer == "past" and not match["next"])
        start = match.start("last") if match["last"] else match.start("next") if match["next"] else match.start("word")
        yield Found(start, match.end(), "date", day=nearest_national(today, past))


DayRule = Callable[[str, datetime, TemporalRules], Iterator[Found]]
DAY_RULES: tuple[DayRule, ...] = (_relative_days, _weekdays, _days_of_month, _numeric, _holidays)
