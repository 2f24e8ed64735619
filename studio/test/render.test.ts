import { describe as group, expect, it } from "vitest";
import { describe } from "../src/lib/render";

group("reading channel payloads for the phone frame", () => {
  it("reads a WhatsApp list", () => {
    const shown = describe({
      type: "interactive",
      interactive: {
        type: "list",
        body: { text: "Como posso ajudar?" },
        action: { button: "Ver opções", sections: [{ rows: [{ id: "horarios", title: "Horários", description: "Quando" }] }] },
      },
    });
    expect(shown).toEqual({
      form: "list",
      text: "Como posso ajudar?",
      buttons: [],
      listButton: "Ver opções",
      rows: [{ id: "horarios", title: "Horários", description: "Quando" }],
    });
  });
  it("reads WhatsApp reply buttons and text", () => {
    expect(
      describe({ type: "interactive", interactive: { type: "button", body: { text: "Sim?" }, action: { buttons: [{ type: "reply", reply: { id: "s", title: "Sim" } }] } } }),
    ).toEqual({ form: "buttons", text: "Sim?", buttons: [{ id: "s", title: "Sim" }] });
    expect(describe({ type: "text", text: { body: "Oi" } })).toEqual({ form: "text", text: "Oi", buttons: [] });
  });
  it("reads Messenger quick replies and the web channel's buttons", () => {
    expect(describe({ message: { text: "Sim?", quick_replies: [{ content_type: "text", title: "Sim", payload: "s" }] } })).toEqual({
      form: "buttons",
      text: "Sim?",
      buttons: [{ id: "s", title: "Sim" }],
    });
    expect(describe({ recipient_id: "u", text: "Oi", buttons: [{ title: "A", payload: "/a" }] })).toEqual({
      form: "buttons",
      text: "Oi",
      buttons: [{ id: "a", title: "A" }],
    });
  });
});
