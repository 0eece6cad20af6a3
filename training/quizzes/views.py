"""The participant's quiz pages: starting an attempt, answering (one question or all on one
page), the result with its review, and progress per competence area. Everything works without
JavaScript."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cms.selectors import attach_site
from training.errors import (
    ENROLLMENT_ENDED,
    SITTING_FINISHED,
    NotFoundError,
    PermissionDeniedError,
    TimeLimitExceeded,
    TrainingError,
)
from training.quizzes import selectors, services
from training.views import error_page, private_no_store

ANSWER_FIELD_PREFIX = "answer-"


@login_required
@private_no_store
def progress(request):
    return render(request, "training/progress.html", selectors.category_progress(request.user))


@require_POST
@login_required
@private_no_store
def start_quiz(request, module_id):
    try:
        sitting = services.start_sitting(user=request.user, module_id=module_id)
    except TrainingError as exc:
        return error_page(request, exc)
    return redirect("training:sitting", sitting_id=sitting.pk)


@require_http_methods(["GET", "POST"])
@login_required
@private_no_store
def sitting(request, sitting_id):
    if request.method == "POST":
        return _submit(request, sitting_id)
    try:
        sitting = selectors.sitting_of(request.user, sitting_id)
        if not sitting.complete and selectors.enrollment_ended(sitting):
            raise PermissionDeniedError(ENROLLMENT_ENDED)  # no resuming once unenrolled
    except TrainingError as exc:
        return error_page(request, exc)
    if not sitting.complete and sitting.deadline_at:
        sitting = services.close_expired_sitting(user=request.user, sitting_id=sitting.pk)
        if sitting.complete:
            messages.warning(request, _("Die Bearbeitungszeit ist abgelaufen."))
    if sitting.complete:
        return redirect("training:result", sitting_id=sitting.pk)
    return _render_sitting(request, sitting)


def _submit(request, sitting_id):
    """An answer post: the service locks and checks the attempt (one read of it); the attempt
    is read again for the page only when the post was refused."""
    question_id = request.POST.get("question", "")
    try:
        sitting = services.submit_form(
            user=request.user,
            sitting_id=sitting_id,
            token=request.POST.get("token", ""),
            question_id=question_id,
            values=request.POST.getlist("answer"),
            answers={
                key.removeprefix(ANSWER_FIELD_PREFIX): request.POST.getlist(key)
                for key in request.POST
                if key.startswith(ANSWER_FIELD_PREFIX)
            },
        )
    except (NotFoundError, PermissionDeniedError) as exc:
        return error_page(request, exc)
    except TrainingError as exc:
        sitting = selectors.sitting_of(request.user, sitting_id)
        if (
            isinstance(exc, TimeLimitExceeded)
            or sitting.complete
            or exc.message == SITTING_FINISHED
        ):
            return error_page(request, exc, result_sitting=sitting)
        return _render_sitting(request, sitting, error=exc, status=exc.status)
    if sitting.complete:
        return redirect("training:result", sitting_id=sitting.pk)
    quiz = services.pinned_quiz(sitting)
    url = request.path
    if not quiz.answers_at_end and quiz.one_question_per_page:
        url += f"?rueckmeldung={question_id}#rueckmeldung"
    return redirect(url)


def _render_sitting(request, sitting, *, error: TrainingError | None = None, status=200):
    quiz = services.pinned_quiz(sitting)
    questions = services.pinned_questions(sitting)
    order = sitting.question_order
    answered = [qid for qid in order if qid in sitting.answers]
    context = {
        "sitting": sitting,
        "quiz": quiz,
        "total": len(order),
        "answered": len(answered),
        "error": error.message if error else None,
        "field_errors": error.errors if error else {},
    }
    if quiz.one_question_per_page:
        current_id = next(qid for qid in order if qid not in sitting.answers)
        feedback_id = request.GET.get("rueckmeldung")
        feedback = None
        if not quiz.answers_at_end and feedback_id in sitting.answers:
            items = selectors.review_of(sitting, quiz, questions, only={feedback_id})
            feedback = items[0] if items else None
        context.update(
            {
                "question": questions[current_id].form_for(sitting.pk),
                "number": order.index(current_id) + 1,
                "token": services.sequence_token(sitting, current_id),
                "posted": (
                    request.POST.getlist("answer")
                    if error and request.POST.get("question") == current_id
                    else []
                ),
                "feedback": feedback,
                "question_error": (
                    services.response_error_message(error.errors.get(current_id)) if error else None
                ),
            }
        )
    else:
        context.update(
            {
                "items": [
                    {
                        "number": number,
                        "question": questions[qid].form_for(sitting.pk),
                        "posted": request.POST.getlist(ANSWER_FIELD_PREFIX + qid) if error else [],
                        "error": services.response_error_message(error.errors.get(qid))
                        if error
                        else None,
                    }
                    for number, qid in enumerate(order, start=1)
                ],
                "token": services.sequence_token(sitting, services.ALL_QUESTIONS),
            }
        )
    return render(request, "training/sitting.html", context, status=status)


@login_required
@private_no_store
def result(request, sitting_id):
    try:
        sitting = selectors.sitting_of(request.user, sitting_id, with_quiz_and_module=True)
    except TrainingError as exc:
        return error_page(request, exc)
    if not sitting.complete:
        return redirect("training:sitting", sitting_id=sitting.pk)
    attach_site(request)  # the page links to the module and the next one
    quiz = services.pinned_quiz(sitting)
    next_module = None
    if sitting.module_id:
        from cms.selectors import module_neighbours

        _, next_module = module_neighbours(sitting.module)
    state = selectors.quiz_state(request.user, sitting.quiz)
    return render(
        request,
        "training/result.html",
        {
            "sitting": sitting,
            "quiz": quiz,
            "review": [] if sitting.answers_discarded else selectors.review_of(sitting, quiz),
            "state": state,
            "can_retry": sitting.quiz.live and state.can_start and sitting.module_id is not None,
            "next_module": next_module,
        },
    )
