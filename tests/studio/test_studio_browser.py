"""The studio in a real browser (Debian's chromium) against a real `papo studio` on a copy of the clinic."""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.studio.studio_helpers import ROOT, Studio


def open_flow(page: Page, flow: str) -> None:
    page.click(f"a[data-flow={flow}]")
    page.wait_for_selector(".papo-node[data-node]")


def node(page: Page, node_id: str) -> Locator:
    return page.locator(f".papo-node[data-node={node_id}]")


def select_node(page: Page, node_id: str) -> None:
    node(page, node_id).locator(".papo-node-head").click()
    expect(page.locator(f"[data-testid=inspector][data-node={node_id}]")).to_be_visible()


def text_field(page: Page, node_id: str, field: str = "text") -> Locator:
    return page.locator(f'[data-pointer="/nodes/{node_id}/{field}"] textarea').first


def changed(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def publish(page: Page) -> None:
    page.click("[data-testid=publish]")
    review = page.locator("[data-testid=publish-review]")
    expect(review.locator("[data-testid=diff]").first).to_be_visible()
    review.locator("[data-testid=confirm-publish]").click()
    expect(review.locator("[data-testid=published]")).to_be_visible()
    review.locator("button", has_text="Close").click()
    expect(review).to_have_count(0)


def test_drag_a_send_node_from_the_palette_and_connect_it(page: Page) -> None:
    open_flow(page, "boas_vindas")
    pane = page.locator(".react-flow__pane")
    box = pane.bounding_box()
    assert box is not None
    page.locator(".palette-item[data-kind=send]").drag_to(
        pane, target_position={"x": box["width"] * 0.5, "y": box["height"] - 80})
    added = node(page, "send_1")
    expect(added).to_be_visible()
    expect(page.locator("[data-testid=inspector][data-node=send_1]")).to_be_visible()
    text_field(page, "send_1").fill("Um recado novo.")
    # Connect by mouse: from the new node's `next` exit to the input of `ir_menu`.
    source = added.locator("[data-exit=next] .out-handle").bounding_box()
    target = node(page, "ir_menu").locator(".in-handle").bounding_box()
    assert source is not None and target is not None
    page.mouse.move(source["x"] + source["width"] / 2, source["y"] + source["height"] / 2)
    page.mouse.down()
    page.mouse.move(target["x"] + 20, target["y"] + 5, steps=12)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + target["height"] / 2, steps=4)
    page.mouse.up()
    expect(page.locator('.react-flow__edge[data-id="send_1:next"]')).to_have_count(1)
    select_node(page, "send_1")
    expect(page.locator('[data-pointer="/nodes/send_1/next"] select')).to_have_value("ir_menu")


def test_a_lint_error_shows_on_its_field_then_publish_changes_one_line(page: Page, studio: Studio) -> None:
    file = studio.botdir / "flows" / "boas_vindas.json"
    before = file.read_text(encoding="utf-8")
    open_flow(page, "boas_vindas")
    select_node(page, "prazer")
    field = text_field(page, "prazer")
    field.fill("Prazer, {{ nomee }}!")
    issue = page.locator('[data-pointer="/nodes/prazer/text"] [data-testid=field-issue]')
    expect(issue).to_contain_text("nomee")
    expect(node(page, "prazer").locator("[data-testid=node-errors]")).to_be_visible()
    field.fill("Prazer em conhecer você, {{ nome }}!")
    expect(issue).to_have_count(0)
    expect(page.locator("[data-testid=problem-count]")).to_contain_text("✗ 0")

    page.click("[data-testid=publish]")
    review = page.locator("[data-testid=publish-review]")
    expect(review.locator("[data-testid=changed-lines]")).to_have_text("1 line(s) removed, 1 added")
    diff = review.locator("[data-testid=diff]")
    expect(diff).to_contain_text('-      "text": "Prazer, {{ nome }}!",')
    expect(diff).to_contain_text('+      "text": "Prazer em conhecer você, {{ nome }}!",')
    expect(review.locator("[data-testid=live-conversations]")).to_be_visible()
    review.locator("[data-testid=confirm-publish]").click()
    expect(review.locator("[data-testid=published]")).to_be_visible()

    after = file.read_text(encoding="utf-8")
    assert changed(before, after) == ['-      "text": "Prazer, {{ nome }}!",',
                                      '+      "text": "Prazer em conhecer você, {{ nome }}!",']


def test_a_broken_publish_leaves_the_file_untouched(page: Page, studio: Studio) -> None:
    file = studio.botdir / "flows" / "boas_vindas.json"
    before = file.read_bytes()
    open_flow(page, "boas_vindas")
    select_node(page, "prazer")
    page.locator('[data-pointer="/nodes/prazer/next"] select').select_option("")
    page.locator("[data-testid=inspector] input[aria-label='node id']").fill("prazer")
    text_field(page, "prazer").fill("Prazer, {{ nomee }}!")
    expect(page.locator('[data-pointer="/nodes/prazer/text"] [data-testid=field-issue]')).to_contain_text("nomee")
    page.click("[data-testid=publish]")
    review = page.locator("[data-testid=publish-review]")
    expect(review.locator(".field-issue.error").first).to_contain_text("nomee")
    expect(review.locator("[data-testid=confirm-publish]")).to_be_disabled()
    assert file.read_bytes() == before


def test_the_test_chat_greets_and_shows_the_menu_as_a_whatsapp_list(page: Page) -> None:
    open_flow(page, "boas_vindas")
    page.click("[data-tab=chat]")
    chat = page.locator("[data-testid=chat]")
    phone = chat.locator("[data-testid=phone]")
    say(page, "oi")
    expect(phone).to_contain_text("Olá! Eu sou a assistente virtual da Clínica Sorriso. 😊")
    expect(phone).to_contain_text("Como posso te chamar?")
    expect(node(page, "saudacao")).to_have_class(re.compile(r"\bon-path\b"))
    say(page, "Maria")
    menu = phone.locator(".bubble[data-form=list]").last
    expect(menu).to_contain_text("Como posso ajudar, Maria?")
    menu.locator("[data-testid=wa-list-button]").click()
    rows = phone.locator("[data-testid=wa-list] .list-row")
    expect(rows.first).to_contain_text("Horários")
    expect(rows).to_have_count(9)


def say(page: Page, text: str) -> None:
    box = page.locator("[data-testid=chat] .phone-input input")
    box.fill(text)
    box.press("Enter")
    expect(page.locator("[data-testid=phone] .bubble-row.user").last).to_have_text(text)
    answered(page)


def answered(page: Page) -> None:
    """Wait until the bot has answered the last message."""
    expect(page.locator("[data-testid=typing]")).to_have_count(0)


def book(page: Page) -> None:
    page.click("[data-tab=chat]")
    page.locator("[data-testid=chat] input[type=datetime-local]").fill("2026-03-02T09:00")
    for text in ("oi", "Carla", "quero marcar uma consulta quarta de manhã"):
        say(page, text)
    phone = page.locator("[data-testid=phone]")
    pick(page, "Clínica geral")
    expect(phone).to_contain_text("Escolha um horário")
    say(page, "1")
    say(page, "sim")
    expect(phone).to_contain_text("Sua consulta está marcada")


def pick(page: Page, title: str) -> None:
    """Tap an option of the last message: a reply button, or a row of its list."""
    last = page.locator("[data-testid=phone] .bubble.bot").last
    if last.get_attribute("data-form") == "list":
        last.locator("[data-testid=wa-list-button]").click()
        last.locator("[data-testid=wa-list] .list-row", has_text=title).first.click()
    else:
        last.locator(".reply-button", has_text=title).first.click()
    answered(page)


def test_plus_25_hours_after_a_booking_brings_the_reminder(page: Page) -> None:
    open_flow(page, "agendar")
    book(page)
    page.click("[data-testid=advance-25h]")
    phone = page.locator("[data-testid=phone]")
    expect(phone.locator(".bubble.clock").last).to_have_text("+25h")
    # Outside WhatsApp's 24-hour window the reminder goes as its approved template.
    reminder = phone.locator(".bubble[data-form=template]").last
    expect(reminder).to_contain_text("template lembrete_consulta")
    expect(reminder).to_contain_text("Lembrete: Consulta de clínica geral")


def test_save_as_test_writes_a_test_papo_test_passes(page: Page, studio: Studio) -> None:
    open_flow(page, "boas_vindas")
    page.click("[data-tab=chat]")
    say(page, "oi")
    say(page, "Maria")
    page.fill("[data-testid=chat] input[aria-label='test name']", "saudacao pelo estudio")
    page.click("[data-testid=chat] button:has-text('Save as test')")
    expect(page.locator("[data-testid=saved-test]")).to_contain_text("tests/")
    saved = page.locator("[data-testid=saved-test]").inner_text().split("tests/", 1)[1].strip()
    test_file = studio.botdir / "tests" / saved
    assert test_file.exists(), test_file
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("REDIS_URL", None)
    run = subprocess.run([sys.executable, "-m", "runtime.cli.main", "test", str(studio.botdir), "-k", "saudacao pelo"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout or "passed" in run.stdout, run.stdout


def test_an_edit_on_disk_while_open_brings_the_merge_prompt(page: Page, studio: Studio) -> None:
    file = studio.botdir / "flows" / "boas_vindas.json"
    open_flow(page, "boas_vindas")
    select_node(page, "prazer")
    text_field(page, "prazer").fill("Prazer em conhecer você, {{ nome }}!")
    expect(page.locator("[data-testid=problem-count]")).to_contain_text("✗ 0")
    # Meanwhile someone edits another node of the same file in their editor.
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace("Que bom te ver de novo, {{ nome }}!", "Que bom te ver outra vez, {{ nome }}!"),
                    encoding="utf-8")
    # The review finds the file changed since it was opened (412) and offers the per-node merge.
    page.click("[data-testid=publish]")
    prompt = page.locator("[data-testid=merge-prompt]")
    expect(prompt).to_be_visible()
    expect(prompt).to_contain_text("merge cleanly")
    prompt.locator("button", has_text="Merge").click()
    publish(page)
    flow = json.loads(file.read_text(encoding="utf-8"))
    assert flow["nodes"]["prazer"]["text"] == "Prazer em conhecer você, {{ nome }}!"
    assert flow["nodes"]["de_volta"]["text"] == "Que bom te ver outra vez, {{ nome }}!"


def test_files_are_left_as_they_were_when_nothing_is_published(studio: Studio, clinic: Path) -> None:
    original = ROOT / "examples" / "clinic" / "flows"
    for f in original.glob("*.json"):
        assert (clinic / "flows" / f.name).read_bytes() == f.read_bytes()


def test_keyboard_connect_undo_search_and_copy_paste(page: Page) -> None:
    open_flow(page, "boas_vindas")
    select_node(page, "sem_nome")
    # Connect without a mouse: "c" opens the target picker on the selected node.
    page.locator(".react-flow__node[data-id=sem_nome]").focus()
    page.keyboard.press("c")
    picker = page.locator("[data-testid=target-picker]")
    picker.locator("select[aria-label=Exit]").select_option("next")
    picker.locator("select[aria-label=Target]").select_option("prazer")
    picker.locator("button.primary").click()
    expect(page.locator('.react-flow__edge[data-id="sem_nome:next"]')).to_have_count(1)
    expect(page.locator('[data-pointer="/nodes/sem_nome/next"] select')).to_have_value("prazer")
    # Undo puts the exit back where it was; redo brings the change again.
    page.locator(".react-flow__pane").click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+z")
    select_node(page, "sem_nome")
    expect(page.locator('[data-pointer="/nodes/sem_nome/next"] select')).to_have_value("ir_menu")
    page.locator("button", has_text="Redo").click()
    expect(page.locator('[data-pointer="/nodes/sem_nome/next"] select')).to_have_value("prazer")
    # Search by a text finds its node and selects it.
    page.keyboard.press("Control+k")
    page.fill("input[aria-label='Search ids, texts, variables']", "te ver de novo")
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=inspector][data-node=de_volta]")).to_be_visible()
    # Arrow keys move the focused node.
    before = node(page, "de_volta").bounding_box()
    page.locator(".react-flow__node[data-id=de_volta]").focus()
    for _ in range(4):
        page.keyboard.press("Shift+ArrowDown")
    after = node(page, "de_volta").bounding_box()
    assert before is not None and after is not None and after["y"] > before["y"]
    # Copy and paste through the clipboard: the copy gets a free id.
    node(page, "de_volta").focus()
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(node(page, "de_volta_2")).to_be_visible()


def test_portuguese_words_and_interrupts_as_entry_points(page: Page) -> None:
    page.select_option("[data-testid=lang]", "pt-BR")
    open_flow(page, "menu")
    expect(page.locator("[data-testid=publish]")).to_have_text("Publicar")
    entry = page.locator("[data-node=__entry]")
    expect(entry).to_contain_text("início")
    expect(entry).to_contain_text("palavras-chave: opcoes, informacoes")
    expect(entry).to_contain_text("interrupção: menu, inicio, voltar")


def test_extract_a_selection_into_a_new_flow_and_publish_both(page: Page, studio: Studio) -> None:
    page.on("dialog", lambda dialog: dialog.accept("cumprimento"))
    open_flow(page, "boas_vindas")
    select_node(page, "prazer")
    page.click("button:has-text('Extract into a new flow')")
    call = node(page, "cumprimento")
    expect(call).to_have_attribute("data-kind", "call")
    expect(call.locator("[data-flow-link=cumprimento]")).to_be_visible()
    expect(page.locator("[data-testid=problem-count]")).to_contain_text("✗ 0")
    publish(page)
    new_flow = json.loads((studio.botdir / "flows" / "cumprimento.json").read_text(encoding="utf-8"))
    assert new_flow["entry"] == "prazer"
    assert new_flow["nodes"] == {"prazer": {"kind": "send", "text": "Prazer, {{ nome }}!"}}
    old = json.loads((studio.botdir / "flows" / "boas_vindas.json").read_text(encoding="utf-8"))
    assert old["nodes"]["cumprimento"] == {"kind": "call", "flow": "cumprimento", "next": "ir_menu"}
    assert old["nodes"]["pedir_nome"]["next"] == "cumprimento"
    # The chip opens the new flow.
    call.locator("[data-flow-link=cumprimento]").click()
    expect(node(page, "prazer")).to_be_visible()
