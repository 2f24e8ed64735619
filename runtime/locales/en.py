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
MEDICAL_PHRASES = ("short of breath", "shortness of breath", "blood pressure", "heart attack", "can i take",
                   "should i take", "side effect")

# Small talk from the language model may not speak of money, times or days (read on normalised text:
# lower case, no accents, punctuation dropped, letter runs squeezed: "o'clock" reads "o clock", "dollars" "dolars").
MONEY_OR_TIME = (r"\d|\bdol+ars?\b|\bbucks?\b|\bcents?\b|\breais\b|\bhours?\b|\bminutes?\b|\bo clock\b|\bnoon\b|"
                 r"midnight|tomorrow|today|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday")
