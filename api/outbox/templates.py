"""The words of every email, in Danish and English: subjects, leads, labels, role names.

Dates, times and prices are filled in by api/outbox/formats.py; api/outbox/render.py puts the
pieces together.
"""

# subject, lead; {service} {provider} {org} {when} {previous} {minutes} {inviter} {role} {expires}
# are filled in ({expires}: when an invitation or a held slot runs out).
TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "da": {
        "booking_created": (
            "Booking bekræftet: {service} {when}",
            "Tak for din booking hos {org}. Vi glæder os til at se dig.",
        ),
        "booking_pending": (
            "Booking modtaget: {service} {when}",
            "Vi har modtaget din booking hos {org}. Du får besked, så snart den er bekræftet.",
        ),
        "booking_confirmed": (
            "Booking bekræftet: {service} {when}",
            "{org} har bekræftet din booking.",
        ),
        "booking_declined": (
            "Booking afvist: {service} {when}",
            "{org} kan desværre ikke tage imod din booking. Tiden er frigivet.",
        ),
        "booking_rescheduled": (
            "Booking flyttet: {service} {when}",
            "Din booking hos {org} er flyttet fra {previous}.",
        ),
        "booking_cancelled": (
            "Booking aflyst: {service} {when}",
            "Din booking hos {org} er aflyst.",
        ),
        "booking_reminder": (
            "Påmindelse: {service} {when}",
            "En påmindelse om din booking hos {org}.",
        ),
        "waitlist_offer": (
            "En tid er blevet ledig: {service} {when}",
            "Du står på venteliste hos {org}, og en tid er blevet ledig. Vi holder den til dig "
            "til {expires}; bekræft den inden da, ellers går den videre til den næste på listen.",
        ),
        "password_reset": (
            "Nulstil din adgangskode",
            "Nogen (forhåbentlig dig) har bedt om at nulstille adgangskoden til din konto. "
            "Linket virker i {minutes} minutter og kan bruges én gang. Har du ikke bedt om "
            "det, kan du se bort fra denne mail; din adgangskode er uændret.",
        ),
        "email_verification": (
            "Bekræft din e-mailadresse",
            "Bekræft, at denne adresse er din. Linket virker i {minutes} minutter og kan "
            "bruges én gang.",
        ),
        "invitation": (
            "Invitation til {org}",
            "{inviter} har inviteret dig til {org} som {role}. Log ind (eller opret en konto) "
            "med denne adresse, bekræft den, og tag imod invitationen. Den gælder til {expires}.",
        ),
    },
    "en": {
        "booking_created": (
            "Booking confirmed: {service} {when}",
            "Thank you for booking with {org}. We look forward to seeing you.",
        ),
        "booking_pending": (
            "Booking received: {service} {when}",
            "We have received your booking with {org}. You will hear from us once it is confirmed.",
        ),
        "booking_confirmed": (
            "Booking confirmed: {service} {when}",
            "{org} has confirmed your booking.",
        ),
        "booking_declined": (
            "Booking declined: {service} {when}",
            "Unfortunately {org} cannot accept your booking. The time has been released.",
        ),
        "booking_rescheduled": (
            "Booking moved: {service} {when}",
            "Your booking with {org} has been moved from {previous}.",
        ),
        "booking_cancelled": (
            "Booking cancelled: {service} {when}",
            "Your booking with {org} has been cancelled.",
        ),
        "booking_reminder": (
            "Reminder: {service} {when}",
            "A reminder of your booking with {org}.",
        ),
        "waitlist_offer": (
            "A time has come free: {service} {when}",
            "You are on the waitlist at {org}, and a time has come free. We are holding it for "
            "you until {expires}; confirm it before then, or it goes to the next person in line.",
        ),
        "password_reset": (
            "Reset your password",
            "Someone (hopefully you) asked to reset the password of your account. The link "
            "works for {minutes} minutes and once only. If it was not you, ignore this email; "
            "your password has not changed.",
        ),
        "email_verification": (
            "Confirm your email address",
            "Please confirm that this address is yours. The link works for {minutes} minutes "
            "and once only.",
        ),
        "invitation": (
            "Invitation to {org}",
            "{inviter} has invited you to join {org} as {role}. Sign in (or register) with this "
            "address, confirm it, and accept the invitation. It is open until {expires}.",
        ),
    },
}
LABELS = {
    "da": {
        "hello": "Hej {name},",
        "service": "Behandling",
        "provider": "Hos",
        "when": "Tid",
        "duration": "Varighed",
        "minutes": "{n} minutter",
        "price": "Pris",
        "place": "Sted",
        "zone": "Tidszone",
        "reason": "Begrundelse",
        "button_password_reset": "Vælg ny adgangskode",
        "button_email_verification": "Bekræft e-mailadresse",
        "button_invitation": "Se dine invitationer",
        "button_waitlist_offer": "Bekræft tiden",
        "code": "Eller brug denne kode",
        "summary": "{service} hos {provider}",
        "sign": "Venlig hilsen\n{org}",
        "sign_account": "Venlig hilsen\nslotbase",
    },
    "en": {
        "hello": "Hello {name},",
        "service": "Service",
        "provider": "With",
        "when": "When",
        "duration": "Duration",
        "minutes": "{n} minutes",
        "price": "Price",
        "place": "Place",
        "zone": "Time zone",
        "reason": "Reason",
        "button_password_reset": "Choose a new password",
        "button_email_verification": "Confirm email address",
        "button_invitation": "See your invitations",
        "button_waitlist_offer": "Confirm the time",
        "code": "Or use this code",
        "summary": "{service} with {provider}",
        "sign": "Kind regards\n{org}",
        "sign_account": "Kind regards\nslotbase",
    },
}

ROLE_NAMES = {
    "da": {
        "owner": "ejer",
        "admin": "administrator",
        "staff": "medarbejder",
        "provider": "behandler",
    },
    "en": {"owner": "owner", "admin": "admin", "staff": "staff", "provider": "provider"},
}


def someone(lang: str) -> str:
    """The inviter of an invitation whose name is unknown."""
    return "Someone" if lang == "en" else "Nogen"
