from __future__ import annotations

import json
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from flows.schemas import validator
from runtime.scheduling import CalendarInvalid, load_calendar, parse_calendar

from .conftest import clinic_data


def issues_of(data: Any) -> list[tuple[str, str, str]]:
    with pytest.raises(CalendarInvalid) as caught:
        parse_calendar(data, file="bots/clinica/calendar.json")
    assert all(i.file == "bots/clinica/calendar.json" for i in caught.value.issues)
    return [(i.pointer, i.message, i.hint) for i in caught.value.issues]


def test_the_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(validator("calendar").schema)


def test_a_bot_folder_calendar_loads_with_its_zone_rules_and_hours(tmp_path: Path) -> None:
    (tmp_path / "clinica").mkdir()
    (tmp_path / "clinica" / "calendar.json").write_text(json.dumps(clinic_data()), encoding="utf-8")
    cal = load_calendar(tmp_path / "clinica")
    assert cal.id == "clinica" and cal.tz.key == "America/Sao_Paulo"
    assert cal.service("consulta").duration == timedelta(minutes=30)
    assert str(cal.service("consulta").price) == "Price(amount=Decimal('250'), currency='BRL')"
    ana = cal.professional("dra_ana")
    assert [(s.start, s.end) for s in ana.hours[0]] == [(time(8), time(12)), (time(14), time(18))]
    assert cal.rules.cancel_min_notice == timedelta(hours=2) and cal.rules.hold == timedelta(minutes=10)
    assert cal.holidays == {date(2026, 4, 3): "Sexta-feira Santa"}
    assert [r.id for r in cal.reminders] == ["24h", "2h"]
    assert sorted(cal.periods) == ["manha", "noite", "tarde"]


def test_overlapping_hours_are_refused_with_pointer_and_hint() -> None:
    data = clinic_data()
    data["professionals"]["dra_ana"]["hours"]["mon"] = [{"from": "08:00", "to": "12:00"},
                                                        {"from": "11:30", "to": "13:00"}]
    [(pointer, message, hint)] = issues_of(data)
    assert pointer == "/professionals/dra_ana/hours/mon/1"
    assert message == "11:30-13:00 overlaps 08:00-12:00 at /professionals/dra_ana/hours/mon/0"
    assert "merge" in hint


def test_schema_errors_name_the_pointer_and_say_how_to_fix() -> None:
    data = clinic_data()
    data["professionals"]["dr_bruno"]["hours"]["tue"][0]["from"] = "8h"
    data["services"]["consulta"]["duracao"] = 30
    del data["timezone"]
    found = {pointer: hint for pointer, _, hint in issues_of(data)}
    assert "HH:MM" in found["/professionals/dr_bruno/hours/tue/0/from"]
    assert "allowed here" in found["/services/consulta/duracao"]
    assert "America/Sao_Paulo" in found[""]                        # the missing timezone


def test_impossible_dates_and_unknown_names_are_refused() -> None:
    data = clinic_data()
    data["holidays"] = [{"date": "2026-02-31"}]
    assert issues_of(data)[0][0] == "/holidays/0/date"
    data = clinic_data()
    data["timezone"] = "America/Sao_Paolo"
    data["closures"] = [{"from": "2026-02-30T10:00", "to": "2026-03-01T10:00"}]
    data["professionals"]["dr_bruno"]["services"] = ["consulta", "limpeza"]
    data["professionals"]["dr_bruno"]["breaks"] = [{"from": "15:00", "to": "14:00"}]
    pointers = [p for p, _, _ in issues_of(data)]
    assert pointers == ["/closures/0/from", "/professionals/dr_bruno/breaks/0",
                        "/professionals/dr_bruno/services/1", "/timezone"]


def test_broken_json_and_missing_files_name_the_file(tmp_path: Path) -> None:
    (tmp_path / "calendar.json").write_text('{\n  "timezone": "America/Sao_Paulo",\n}', encoding="utf-8")
    with pytest.raises(CalendarInvalid, match=r"calendar.json:2:\d+ /: error not valid JSON: a comma after the last"):
        load_calendar(tmp_path)
    with pytest.raises(CalendarInvalid, match="file not found"):
        load_calendar(tmp_path / "nothing")


def test_issues_in_a_file_carry_the_line(tmp_path: Path) -> None:
    data = clinic_data()
    data["professionals"]["dra_ana"]["hours"]["mon"].append({"from": "17:00", "to": "19:00"})
    text = json.dumps(data, indent=2).replace('"name": "Retorno",', '"name": "Retorno", "name": "Volta",')
    (tmp_path / "calendar.json").write_text(text, encoding="utf-8")
    with pytest.raises(CalendarInvalid) as caught:
        load_calendar(tmp_path)
    [twice] = caught.value.issues
    assert twice.pointer == "/services/retorno/name" and "appears twice" in twice.message
    assert twice.line == next(n for n, line in enumerate(text.splitlines(), 1) if '"Volta"' in line)
    (tmp_path / "calendar.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    with pytest.raises(CalendarInvalid) as caught:
        load_calendar(tmp_path)
    [overlap] = caught.value.issues
    lines = json.dumps(data, indent=2).splitlines()    # the item's "{" is on its line, "from" on the next
    assert overlap.pointer == "/professionals/dra_ana/hours/mon/2"
    assert '"17:00"' in lines[overlap.line] and str(overlap).startswith(f"{tmp_path}/calendar.json:{overlap.line}:")


def test_a_built_in_holiday_list_closes_every_year_s_national_holidays() -> None:
    data = clinic_data()
    data["holidays"] = ["BR", {"date": "2026-03-19", "name": "São José"}]
    cal = parse_calendar(data, file="bots/clinica/calendar.json")
    assert cal.holidays[date(2026, 9, 7)] == "Independência do Brasil"
    assert cal.holidays[date(2027, 3, 26)] == "Paixão de Cristo"  # Easter-based, worked out for each year
    assert cal.holidays[date(2026, 3, 19)] == "São José"
    assert date(2026, 2, 17) not in cal.holidays  # Carnival is on "BR-optional" only
    data["holidays"] = ["BR-optional"]
    assert date(2026, 2, 17) in parse_calendar(data, file="bots/clinica/calendar.json").holidays
    data["holidays"] = ["US"]
    assert [pointer for pointer, _, _ in issues_of(data)] == ["/holidays/0"]
