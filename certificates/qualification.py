"""The holder's qualification as the certificate names it: the course title with its first word
(Experte, Expertin, Fachperson) in the form the person chose in *Mein Konto*. Pure."""

from accounts.models import QualificationForm

WORDS = {
    QualificationForm.NEUTRAL: "Fachperson",
    QualificationForm.EXPERTIN: "Expertin",
    QualificationForm.EXPERTE: "Experte",
}
_QUALIFICATION_WORDS = frozenset(WORDS.values())


def qualification_title(course_title: str, form: str) -> str:
    """``Experte für digitalen Bürgerservice (IHK)`` → ``Expertin für digitalen Bürgerservice
    (IHK)`` for ``expertin``: everything after the first word, "(IHK)" included where the
    course title carries it, stays as the course names it. A course whose title names no
    qualification (its first word is none of the three) gives "" and the certificate names
    the course only. An unknown form counts as neutral."""
    first, _, rest = course_title.strip().partition(" ")
    if first not in _QUALIFICATION_WORDS or not rest.strip():
        return ""
    word = WORDS.get(form, WORDS[QualificationForm.NEUTRAL])
    return f"{word} {rest.strip()}"
