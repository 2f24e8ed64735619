"""English: what papo itself says and reads when a conversation is in English.

papo's NLU reads pt-BR only, so these texts never invite the user to type a day or a period
("Friday afternoon"): they ask to pick from the list instead.
"""

from __future__ import annotations

LOCALE = "en"

MESSAGES: dict[str, str] = {
    "session_expired": "Our previous conversation expired, so let's start again.",
    "invalid": "Sorry, I did not understand.",
    "gave_up": "Sorry, I could not understand your answer.",
    "error": "Sorry, something went wrong on our side. Please try again in a moment.",
    "fallback": "Sorry, I do not have an answer for that.",
    "medical": "I cannot answer health questions here; someone from our team can help you.",
    "unsupported": "Sorry, I can't read that kind of message here. Could you write it as text?",
    "urgent": "If this is an emergency, call your local emergency number now or go to the nearest emergency room. "
              "We cannot handle emergencies here.",
    "urgent_staff": "If you'd like to talk to someone on our team, just ask.",
    "crisis": "I'm sorry you are going through this, and glad you wrote. You are not alone: please call or text "
              "your local crisis line now, or your local emergency number if you are in danger.",
    "opt_out": "Done: you will get no more automatic messages from us, and no appointment reminders. "
               "If you change your mind, just write *send me messages*.",
    "opt_in": "All right! We will send you reminders and notices here again. 🙂",
    "opt_out_marketing": "All right, no news or offers from us. Your appointment reminders go on as usual. 🙂",
    "privacy_erase": "We received your request to erase your data. Our team will confirm your identity before "
                     "erasing anything and answer within 15 days.",
    "no_notice": "Our privacy notice is not available here yet; please talk to our team.",
    "privacy": "We received your request about your personal data. Our team will confirm your identity and answer "
               "within 15 days; nothing is deleted before that.",
    "wishes": "Thank you, same to you! 😊",
    "thanks": "You are welcome! 😊",
    "greeting": "Hi! All good here. 😊",
    "acknowledged": "👍",
    "laughter": "😄",
    "renamed": "Sorry about that! Noted: I'll call you {{ name }}. 😊",
    "who_am_i": "I'm a virtual assistant, a bot 🤖. If you'd rather talk to a person on the team, just ask.",
    "someone_real": "I'm a virtual assistant, a bot 🤖. If you'd rather talk to a person on the team, just ask.",
    "give_up": "All right, no rush! Nothing was booked; just write *book* whenever you want. 🙂",
    "dropped": "All right! If you need anything, just write here. 🙂",
    "today": "Today is {weekday}, {month} {day}. 🙂",
    "complaint": "I'm sorry about that. 😔 If you'd like to talk it over with someone on our team, just write *agent*.",
    "later": "Sure, take your time! Just write here when you decide. 🙂",
    "goodbye": "Bye! 👋",
    "unanswered": "Sorry, I do not have that answer here.",
    "closed": "Our team is out of office now. Your message is in the queue and someone will answer from "
              "{{ next_opening }}.",
}

# What a re-prompt says is expected, per `ask` input type (after the bot's `invalid` message).
EXPECTED: dict[str, str] = {
    "text": "Could you write your answer?",
    "name": "Could you tell me just the name, please?",
    "choice": "Please pick one of the options; you can answer with its number.",
    "number": "Please answer with a number.",
    "yes_no": "Please answer *yes* or *no*.",
    "email": "Please write an e-mail address, for example: name@example.com.",
    "phone": "Please write a phone number with its area code.",
    "cpf": "Please write a CPF with 11 digits, for example: 123.456.789-09.",
    "date": "Please pick a date from the list, or write it as day/month, for example: 15/03.",
    "time": "Please write a time, for example: 14:00.",
    "datetime": "Please write a day and a time, for example: 15/03 14:00.",
}

BOOKING: dict[str, str] = {
    # book and reschedule: offering slots
    "offer": "Pick a time for {{ service }} 👇",
    "list_button": "See times",
    "nothing_matching": "I found no free time on that day or at that time of day 😕 These are the next ones:",
    "past": "That date has passed 🙂 These are the next free times:",
    "impossible": "That date is not on the calendar ({{ wrong }}) 🙂 These are the next free times:",
    "far": "The schedule is not open for that date yet. These are the next free times:",
    "none": "There are no free times for {{ service }} right now 😕 Please talk to our team.",
    "pick_again": "I did not get which time you prefer. Please pick one from the list.",
    "taken": "Sorry, someone else has just booked that time. These are the free times:",
    "expired": "The time to confirm that slot ran out. These are the free times now:",
    "confirm": "Shall I book it?\n{{ service }} with {{ professional }}, {{ when }}.",
    "yes": "Confirm",
    "no": "Pick another",
    "booked": "Done! ✅ Your appointment is booked: {{ service }} with {{ professional }}, {{ when }}.",
    "error": "I could not finish that now 😕 Please try again in a moment or talk to our team.",
    # cancel, reschedule, confirm: which appointment
    "no_appointment": "You have no appointments booked. 🙂",
    "pick_appointment": "Which appointment?",
    "pick_cancel": "Which appointment do you want to cancel?",
    "pick_reschedule": "Which appointment do you want to move?",
    "confirm_cancel": "Do you really want to cancel?\n{{ service }} with {{ professional }}, {{ when }}.",
    "yes_cancel": "Yes, cancel",
    "no_cancel": "No, keep it",
    "cancelled": "Appointment cancelled. ✅ If you want another date, just ask.",
    "kept": "All right, your appointment stays booked. 👍",
    "too_late": "Your appointment is too soon for me to change it here. Please talk to our team.",
    "confirm_reschedule": "Shall I move it to {{ when }}, with {{ professional }}?",
    "rescheduled": "Done! ✅ Your appointment is now {{ when }}, with {{ professional }}.",
    "confirmed": "Thank you! ✅ You are confirmed: {{ service }} with {{ professional }}, {{ when }}.",
    # my_appointments
    "list": "Your upcoming appointments:\n{{ items }}",
}

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SHORT_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TYPED_WEEKDAYS = WEEKDAYS
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

WHEN = "{weekday}, {month} {day}, at {time}"  # Tuesday, March 3, at 09:00
DATE = "{month} {day}"
ROW = "{short_weekday} {short_month} {day} at {time}"  # a list row, at most 24 characters: Tue Mar 3 at 09:00
APPOINTMENT_LINE = "• {when}: {service} with {professional}"

YES_ID = "yes"
NO_ID = "no"

# A message with one of these words or phrases is a medical question: never answered by the FAQ or the model.
MEDICAL_WORDS = frozenset(
    "pain painful hurt hurts hurting ache aching fever symptom symptoms medicine medicines medication medications "
    "drug drugs dose dosage pill pills tablet tablets bleeding bleed dizzy dizziness faint fainted allergy "
    "allergic ibuprofen paracetamol acetaminophen aspirin antibiotic antibiotics amoxicillin vomit vomiting "
    "diarrhea diarrhoea infection infected inflammation diagnosis treatment pregnancy pregnant stroke seizure "
    "injury injured wound burn cough rash".split()
)
# A break is medical when a part of the body broke ("broke my arm"), not the car.
MEDICAL_SIGNS = (
    (frozenset("broke broken break fractured fracture cracked".split()),
     frozenset("arm arms leg legs foot feet finger fingers toe toes tooth teeth nose bone bones wrist ankle rib ribs "
               "collarbone hand hands knee hip elbow shoulder skull jaw".split())),
)
MEDICAL_PHRASES = ("short of breath", "shortness of breath", "blood pressure", "heart attack", "can i take",
                   "should i take", "side effect", "can i give", "feeling sick")
SERVICE_NOUNS = frozenset("vaccine vaccines vaccination shot shots test tests screening".split())
SERVICE_LINKS = frozenset("for against".split())

# An urgent message (an emergency now) gets the emergency numbers first, wherever the conversation is,
# also while staff talk to the patient.
URGENT_WORDS = frozenset("emergency urgent unconscious overdose poisoned seizing fainted".split())
URGENT_NAMES: frozenset[str] = frozenset()  # urgent words that are also given names
URGENT_SIGNS = (
    (frozenset("face mouth".split()), frozenset("numb drooping droopy fallen crooked paralysed paralyzed".split())),
    (frozenset("lips lip mouth".split()), frozenset("blue bluish purple".split())),
    (frozenset("breathing breathe".split()), frozenset("struggling hard difficulty trouble".split())),
    (frozenset("poison bleach pesticide kerosene".split()), frozenset("drank swallowed ate took".split())),
)
URGENT_PHRASES = ("cannot breathe", "can't breathe", "cant breathe", "chest pain", "a lot of blood",
                  "bleeding a lot", "stopped breathing", "passed out", "want to die", "kill myself", "emergency room",
                  "turning blue", "can't move", "cannot move", "fell down the stairs")
CRISIS_PHRASES = ("want to die", "kill myself", "end my life", "take my life", "suicide", "suicidal", "hurt myself",
                  "don't want to live", "dont want to live")

# Stop and restart proactive messages (opt-out, opt-in); a request about personal data (LGPD).
OPT_OUT_PHRASES = ("stop sending", "stop messaging", "no more messages", "unsubscribe", "do not message me",
                   "don't message me", "dont message me", "opt out", "remove my number")
OPT_OUT_WORDS = frozenset({"stop", "unsubscribe", "optout"})  # the whole message
# ... or a word of each list, in any order ("stop all these messages", "please erase all my information").
OPT_OUT_PAIRS = (frozenset("stop unsubscribe block".split()),
                 frozenset("message messages reminder reminders notification notifications texts".split()))
PRIVACY_PAIRS = (frozenset("delete erase remove forget".split()),
                 frozenset("data information details record records account".split()))
CORRECTION_PAIRS = (frozenset("correct fix update wrong incorrect outdated".split()),
                    frozenset("data details record records account surname".split()))
OPT_IN_PHRASES = ("send me messages", "start sending", "send me reminders", "opt in", "resume messages")
PRIVACY_PHRASES = ("delete my data", "erase my data", "remove my data", "delete my information", "my personal data",
                   "what data do you have", "data protection", "lgpd", "gdpr", "forget me", "delete my account")
NOTICE_WORDS = frozenset({"privacy", "privacy policy", "privacy notice", "how do you use my data"})
NOTICE_PHRASES = ("privacy policy", "privacy notice", "use my data", "share my data", "sell my data",
                  "use my phone number", "use my number", "do with my number", "do with my data")
SEND_VERBS = frozenset("send sending text texting message".split())
SEND_FILLERS = frozenset("need to have keep me us".split())  # "don't need to keep texting me"
WANTING_VERBS = frozenset("want need".split())
REFUSAL_FILLERS = frozenset("any more the your these those".split())
_DATA = frozenset("data information phone number email conversations conversation messages history".split())
NOTICE_QUESTIONS: dict[str, tuple[frozenset[str], ...]] = {
    "retention": (frozenset("long until".split()), frozenset("keep store retain delete".split()), _DATA),
    "recipients": (frozenset("share shares sell sells pass give".split()), _DATA,
                   frozenset("anyone anybody whom who third parties companies".split())),
    "rights": (frozenset("right rights".split()), _DATA),
    "rights_use": (frozenset("ask".split()), frozenset("delete erase correct copy remove".split()), _DATA),
    "monitoring": (frozenset("read reads reading see access".split()),
                   frozenset("conversations messages chats".split())),
    "purposes": (frozenset("need needs use uses".split()), _DATA),
    "controller": (frozenset("responsible dpo officer charge".split()), frozenset("data privacy".split())),
}
NOTICE_LABELS: dict[str, str] = {
    "title": "🔒 *Privacy and your data*",
    "controller": "*Who looks after your data:*",
    "dpo": "*Data protection officer:*",
    "purposes": "*What we use it for:*",
    "retention": "*How long we keep it:*",
    "recipients": "*Who we share it with:*",
    "rights": "*Your rights:*",
    "monitoring": "*Monitoring:*",
    "human_contact": "*Talk to a person:*",
    "how": "To get a copy of your data or have it erased, write *my data* or *delete my data*. To get no more "
           "messages, write *STOP*.",
}

# Small talk, on normalised text: a short answer, never the menu. The first kind that matches wins.
SMALL_TALK: dict[str, str] = {
    "who_am_i": r"\b(?:(?:are\s+you|r\s+u)\s+(?:a\s+|an\s+)?(?:bot|robot|human|real|person|machine|ai)"
                r"|(?:am\s+i\s+)?talking\s+to\s+(?:a\s+|an\s+)?(?:bot|robot|human|person|machine|ai))\b",
    "today": r"^(?:what(?:s| is)\s+(?:the\s+)?(?:date|day)\s+today|what\s+day\s+is\s+(?:it|today))\b",
    "complaint": r"\b(unacceptable|terrible service|awful service|(?:i )?waited (?:for )?(?:\d+|an|two|three) "
                 r"(?:min\w*|hours?))\b",
    "give_up": r"\b(i give up|never mind|forget it|dont want to book|do not want to book)\b",
    "later": r"\b(let me (see|check|think)|i will (see|check|think)|ill (see|check|think)|get back to you|"
             r"talk to my|check with my|not sure yet|later)\b",
    "wishes": r"\b(merry christmas|happy (new year|holidays|easter)|seasons greetings)\b",
    "thanks": r"^(many |thank you|thanks|thank|thx|ty|cheers)\b",
    "goodbye": r"^(bye|goodbye|see you|see ya|cya|good night)\b",
    "laughter": r"^((ha)+h?|(he)+h?|lol|lmao|rofl)$",
    "greeting": r"^((hi|hello|hey|good (morning|afternoon|evening))( how are you)?|how are you)$",
    "acknowledged": r"^(ok(ay)?|k|sure|fine|got it|alright|all right|cool|great|nice|perfect|hm+|ah( ok)?)$",
}

# A message that asks something (an unanswered one gets `unanswered`, not "I did not understand").
QUESTION_WORDS = frozenset("what which how when where why who can could do does is are may".split())
# A question about a right that is no request yet ("can I ask you to delete my data? just asking").
RIGHTS_QUESTION = (r"\b(?:just\s+asking|just\s+curious|out\s+of\s+curiosity)\b"
                   r"|\b(?:do\s+i\s+have\s+(?:the\s+)?right\s+to|does\s+the\s+(?:law|lgpd)\s+let\s+me)\b.*\?")
REQUIREMENT = r"^(?:do\s+i\s+need|do\s+we\s+need|is\s+it\s+necessary|is\s+a\s+\w+\s+required|must\s+i)\b"
ANY_SLOT = r"^(?:any(?:\s+(?:one|time))?(?:\s+is\s+fine)?|whatever|the\s+(?:earliest|soonest|first\s+available))$"
MARKETING_WORDS = frozenset("marketing promotion promotions offers offer news newsletter ads advertising".split())
ONLY_WORDS = frozenset({"only", "just", "keep", "continue"})
OPT_OUT_PLACES = frozenset("list number whatsapp spam contacts".split())
APPROXIMATE = r"\b(?:around|about|roughly|approximately|later|earlier|after|before|from)\b"
SELF_REFERENCE = r"\b(?:for\s+me|myself|it\s+is\s+me|its\s+me)\b"
DEFERRING = r"^(let me (see|check|think)|i will (see|check|think)|ill (see|check|think))\b"
MORE_SLOTS = r"\b(?:later|other\s+times?|more\s+(?:options|times)|none\s+of\s+(?:these|them)|anything\s+else)\b"

# Small talk from the language model may not speak of money, times or days (read on normalised text:
# lower case, no accents, punctuation dropped, letter runs squeezed: "o'clock" reads "o clock", "dollars" "dolars").
MONEY_OR_TIME = (r"\d|\bdol+ars?\b|\bbucks?\b|\bcents?\b|\breais\b|\bhours?\b|\bminutes?\b|\bo clock\b|\bnoon\b|"
                 r"midnight|tomorrow|today|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday")
