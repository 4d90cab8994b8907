"""Words typed alone that stand for a command, in every language: WhatsApp has no command
menu, and people type "menu" or "solde" on Telegram too. A word is matched whole, whatever
its case, accents or final punctuation ("Solde ?", "AIDE", "Menú" are the same). The
commands that take an argument also read it after their word ("chercher Fatou")."""

import unicodedata

# word → the command it stands for (registered by the flows as /<command>)
KEYWORDS: dict[str, str] = {
    # French
    "menu": "menu",
    "accueil": "menu",
    "aide": "help",
    "solde": "balance",
    "historique": "history",
    "compteurs": "meters",
    "langue": "language",
    "annuler": "cancel",
    "chercher": "find",
    "dernier": "last",
    "jour": "today",
    "rapport": "report",
    # English
    "start": "start",
    "help": "help",
    "balance": "balance",
    "history": "history",
    "meters": "meters",
    "language": "language",
    "cancel": "cancel",
    "find": "find",
    "last": "last",
    "today": "today",
    "report": "report",
    # Wolof ("làkk" and "Làkk" read the same: accents do not count)
    "ndimbal": "help",
    "xaalis": "balance",
    "li weesu": "history",
    "lakk": "language",
    "bayi": "cancel",
    "neenal": "cancel",
    "seet": "find",
    "bu mujj": "last",
    "tey": "today",
    # Funding the wallet (handlers/funding.py). Not "recharge" alone: in Senegal "une
    # recharge" is first a Woyofal (or phone credit) top-up; sent to the wallet's funding,
    # someone after electricity would be asked for mobile money. The words below name the
    # account (or are the verb of our own menu button, "Recharger mon compte").
    "recharger": "recharger",
    "recharger compte": "recharger",
    "recharger mon compte": "recharger",
    "recharge compte": "recharger",
    "recharge mon compte": "recharger",
    "crediter mon compte": "recharger",
    "top up": "topup",
    "topup": "topup",
    "top-up": "topup",
    "fund": "fund",
    "add money": "topup",
    "yokk xaalis": "recharger",
    "dugal xaalis": "recharger",
    # Greetings, typed instead of /start: the menu, with a greeting
    "bonjour": "start",
    "bonsoir": "start",
    "bjr": "start",
    "salut": "start",
    "slt": "start",
    "coucou": "start",
    "hello": "start",
    "hi": "start",
    "hey": "start",
    "salam": "start",
    "salam aleykoum": "start",
    "salam alaykoum": "start",
    "salamalekoum": "start",
    "salamaleykoum": "start",
    "salam aleikoum": "start",
    "assalamou alaykoum": "start",
    "assalamu alaikum": "start",
    "asalaa maalekum": "start",
    "asalaa maalekoum": "start",
    "salaam aleekum": "start",
    "nanga def": "start",
    "na nga def": "start",
    # The services, by their names
    "woyofal": "woyofal",
    "senelec": "senelec",
    "seneau": "seneau",
    "sen'eau": "seneau",
    "sen eau": "seneau",
    "sde": "seneau",  # the water company's former name, still in use
}


# The commands whose word may be followed by what they act on.
TAKE_ARGUMENT = frozenset({"find", "report", "language"})


def plain(text: str) -> str:
    """Lower case, without accents, without the punctuation around it."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.strip(" .!?¿¡,;:'\"")


def command_for(text: str) -> str | None:
    """The command a message stands for when it is one of the words alone, else None."""
    if len(text) > 40:
        return None
    return KEYWORDS.get(plain(text))


def command_with_argument(text: str) -> tuple[str, str] | None:
    """(command, argument) when the text is a word of a command taking an argument, then
    that argument ("chercher 77 123 45 67" → ("find", "77 123 45 67")), else None."""
    word, _, rest = text.strip().partition(" ")
    command = command_for(word)
    argument = rest.strip()
    if command in TAKE_ARGUMENT and argument:
        return command, argument
    return None
